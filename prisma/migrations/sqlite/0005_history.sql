-- CreateTable
CREATE TABLE "Revision" (
    "environmentId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorUserId" TEXT,
    "tokenId" TEXT,
    "actorName" TEXT NOT NULL,
    "message" TEXT,
    "added" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "removed" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("environmentId", "number"),
    CONSTRAINT "Revision_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RevisionChange" (
    "environmentId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "branchId" TEXT NOT NULL DEFAULT '',
    "revision" INTEGER NOT NULL,
    "branchName" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL,
    "isSecret" BOOLEAN NOT NULL,
    "ciphertext" BLOB,
    "keyVersion" INTEGER,
    "valueVersion" INTEGER,

    PRIMARY KEY ("environmentId", "key", "branchId", "revision"),
    CONSTRAINT "RevisionChange_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (an ADD COLUMN, not Prisma's table redefinition: migrations run in a transaction, where
-- PRAGMA foreign_keys=OFF is ignored, so dropping "Environment" would cascade to every variable.)
ALTER TABLE "Environment" ADD COLUMN "historySince" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "RevisionChange_environmentId_revision_idx" ON "RevisionChange"("environmentId", "revision");

-- CreateIndex
CREATE INDEX "RevisionChange_keyVersion_idx" ON "RevisionChange"("keyVersion");

-- CreateIndex
CREATE INDEX "Variable_environmentId_valueVersion_idx" ON "Variable"("environmentId", "valueVersion");


-- Baseline: the history of an existing environment starts at its current revision, whose full
-- state is copied from its values and overrides (the ciphertexts as they are: same bytes, same
-- keyVersion and valueVersion, so they decrypt with the same associated data).
UPDATE "Environment" SET "historySince" = "revision";

INSERT INTO "RevisionChange" ("environmentId", "key", "branchId", "revision", "branchName", "kind", "isSecret", "ciphertext", "keyVersion", "valueVersion")
SELECT v."environmentId", v."key", '', e."revision", '', 'added', v."isSecret", v."ciphertext", v."keyVersion", v."valueVersion"
FROM "Variable" v JOIN "Environment" e ON e."id" = v."environmentId";

INSERT INTO "RevisionChange" ("environmentId", "key", "branchId", "revision", "branchName", "kind", "isSecret", "ciphertext", "keyVersion", "valueVersion")
SELECT v."environmentId", v."key", o."branchId", e."revision", b."name", 'added', v."isSecret", o."ciphertext", o."keyVersion", o."valueVersion"
FROM "BranchOverride" o JOIN "Variable" v ON v."id" = o."variableId" JOIN "Environment" e ON e."id" = v."environmentId"
  JOIN "ProjectBranch" b ON b."id" = o."branchId";

INSERT INTO "Revision" ("environmentId", "number", "createdAt", "action", "actorType", "actorName", "message", "added")
SELECT e."id", e."revision", e."updatedAt", 'history.baseline', 'system', 'envplane',
  'History starts here: the values as they were when envplane began recording history.',
  (SELECT COUNT(*) FROM "RevisionChange" c WHERE c."environmentId" = e."id")
FROM "Environment" e WHERE e."revision" > 0;
