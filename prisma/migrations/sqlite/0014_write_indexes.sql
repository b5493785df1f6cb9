-- DropIndex
DROP INDEX "Variable_keyVersion_idx";

-- DropIndex
DROP INDEX "Variable_managedBy_idx";

-- DropIndex
DROP INDEX "Variable_noteKeyVersion_idx";

-- DropIndex
DROP INDEX "BranchOverride_keyVersion_idx";

-- DropIndex
DROP INDEX "RevisionChange_keyVersion_idx";


-- CreateIndex (hand-written: Prisma's schema cannot express a partial index; see model Variable)
CREATE INDEX "Variable_managedBy_idx" ON "Variable"("managedBy") WHERE "managedBy" IS NOT NULL;
