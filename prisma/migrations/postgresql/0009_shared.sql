-- AlterTable
ALTER TABLE "Environment" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'environment';

-- AlterTable
ALTER TABLE "Variable" ADD COLUMN     "references" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "BranchOverride" ADD COLUMN     "references" TEXT NOT NULL DEFAULT '[]';

