-- Hand-written: plain ADD COLUMN (a table rebuild would cascade-delete variables inside our migration transaction).
ALTER TABLE "Environment" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'environment';
ALTER TABLE "Variable" ADD COLUMN "references" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "BranchOverride" ADD COLUMN "references" TEXT NOT NULL DEFAULT '[]';
