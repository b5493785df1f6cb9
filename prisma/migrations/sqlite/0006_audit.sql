-- CreateTable
CREATE TABLE "AuditChainHead" (
    "chain" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "prunedThroughSeq" INTEGER NOT NULL DEFAULT 0,
    "prunedHash" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "BranchLive" (
    "branchId" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "environmentName" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "servedAt" DATETIME NOT NULL,
    "tokenId" TEXT,
    CONSTRAINT "BranchLive_branchId_fkey" FOREIGN KEY ("branchId") REFERENCES "ProjectBranch" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorUserId" TEXT,
    "tokenId" TEXT,
    "projectId" TEXT,
    "environmentId" TEXT,
    "branchId" TEXT,
    "revision" INTEGER,
    "keys" TEXT NOT NULL DEFAULT '[]',
    "metadata" TEXT NOT NULL DEFAULT '{}',
    "chain" TEXT NOT NULL DEFAULT '',
    "seq" INTEGER NOT NULL DEFAULT 0,
    "prevHash" TEXT NOT NULL DEFAULT '',
    "hash" TEXT NOT NULL DEFAULT '',
    "clientAddress" TEXT,
    "userAgent" TEXT,
    "actorName" TEXT NOT NULL DEFAULT ''
);
-- Existing rows join their project's chain (or the instance chain "") in the order they were written; the
-- server seals them (prevHash, hash) at its first start (server/events/audit.ts, sealUnchainedEvents).
INSERT INTO "new_Event" ("action", "actorType", "actorUserId", "branchId", "createdAt", "environmentId", "id", "keys", "metadata", "projectId", "revision", "tokenId", "chain", "seq", "actorName")
SELECT "action", "actorType", "actorUserId", "branchId", "createdAt", "environmentId", "id", "keys", "metadata", "projectId", "revision", "tokenId",
    COALESCE("projectId", ''),
    ROW_NUMBER() OVER (PARTITION BY COALESCE("projectId", '') ORDER BY "createdAt", "id"),
    CASE "actorType"
        WHEN 'user' THEN COALESCE((SELECT u."name" FROM "User" u WHERE u."id" = "Event"."actorUserId"), '')
        WHEN 'service' THEN COALESCE('service token ' || (SELECT t."name" FROM "Token" t WHERE t."id" = "Event"."tokenId"), 'service token')
        ELSE 'system' END
FROM "Event";
DROP TABLE "Event";
ALTER TABLE "new_Event" RENAME TO "Event";
CREATE INDEX "Event_projectId_createdAt_idx" ON "Event"("projectId", "createdAt");
CREATE INDEX "Event_createdAt_idx" ON "Event"("createdAt");
CREATE INDEX "Event_environmentId_revision_idx" ON "Event"("environmentId", "revision");
CREATE UNIQUE INDEX "Event_chain_seq_key" ON "Event"("chain", "seq");
INSERT INTO "AuditChainHead" ("chain", "seq", "hash") SELECT "chain", MAX("seq"), '' FROM "Event" GROUP BY "chain";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "BranchLive_projectId_idx" ON "BranchLive"("projectId");

