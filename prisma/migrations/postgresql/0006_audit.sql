-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "actorName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "chain" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "clientAddress" TEXT,
ADD COLUMN     "hash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "prevHash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "userAgent" TEXT;

-- CreateTable
CREATE TABLE "AuditChainHead" (
    "chain" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "prunedThroughSeq" INTEGER NOT NULL DEFAULT 0,
    "prunedHash" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "AuditChainHead_pkey" PRIMARY KEY ("chain")
);

-- CreateTable
CREATE TABLE "BranchLive" (
    "branchId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "environmentName" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "servedAt" TIMESTAMP(3) NOT NULL,
    "tokenId" TEXT,

    CONSTRAINT "BranchLive_pkey" PRIMARY KEY ("branchId")
);

-- CreateIndex
CREATE INDEX "BranchLive_projectId_idx" ON "BranchLive"("projectId");

-- CreateIndex
CREATE INDEX "Event_environmentId_revision_idx" ON "Event"("environmentId", "revision");

-- Existing rows join their project's chain (or the instance chain "") in the order they were written; the
-- server seals them (prevHash, hash) at its first start (server/events/audit.ts, sealUnchainedEvents).
UPDATE "Event" e SET "chain" = n."chain", "seq" = n."seq",
    "actorName" = CASE e."actorType"
        WHEN 'user' THEN COALESCE((SELECT u."name" FROM "User" u WHERE u."id" = e."actorUserId"), '')
        WHEN 'service' THEN COALESCE('service token ' || (SELECT t."name" FROM "Token" t WHERE t."id" = e."tokenId"), 'service token')
        ELSE 'system' END
FROM (SELECT "id", COALESCE("projectId", '') AS "chain",
        ROW_NUMBER() OVER (PARTITION BY COALESCE("projectId", '') ORDER BY "createdAt", "id") AS "seq"
      FROM "Event") n
WHERE e."id" = n."id";

INSERT INTO "AuditChainHead" ("chain", "seq", "hash") SELECT "chain", MAX("seq"), '' FROM "Event" GROUP BY "chain";

-- CreateIndex
CREATE UNIQUE INDEX "Event_chain_seq_key" ON "Event"("chain", "seq");

-- AddForeignKey
ALTER TABLE "BranchLive" ADD CONSTRAINT "BranchLive_branchId_fkey" FOREIGN KEY ("branchId") REFERENCES "ProjectBranch"("id") ON DELETE CASCADE ON UPDATE CASCADE;

