-- Preview environments (hand-written: ADD COLUMN, never a table rebuild, which would cascade-delete
-- every variable inside our migration transaction).
ALTER TABLE "Environment" ADD COLUMN "previewBranchId" TEXT REFERENCES "ProjectBranch" ("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Environment" ADD COLUMN "previewOf" TEXT;
ALTER TABLE "Environment" ADD COLUMN "previewUrl" TEXT;

CREATE UNIQUE INDEX "Environment_previewBranchId_key" ON "Environment"("previewBranchId");
