-- AlterTable
ALTER TABLE "Environment" ADD COLUMN     "previewBranchId" TEXT,
ADD COLUMN     "previewOf" TEXT,
ADD COLUMN     "previewUrl" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Environment_previewBranchId_key" ON "Environment"("previewBranchId");

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_previewBranchId_fkey" FOREIGN KEY ("previewBranchId") REFERENCES "ProjectBranch"("id") ON DELETE CASCADE ON UPDATE CASCADE;

