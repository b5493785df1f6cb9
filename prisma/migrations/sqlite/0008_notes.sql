-- Notes (encrypted), key order and blank-line grouping of variables.
-- Plain ADD COLUMN: a table rebuild would cascade-delete every variable inside our migration transaction.
ALTER TABLE "Variable" ADD COLUMN "noteCiphertext" BLOB;
ALTER TABLE "Variable" ADD COLUMN "noteKeyVersion" INTEGER;
ALTER TABLE "Variable" ADD COLUMN "noteVersion" INTEGER;
ALTER TABLE "Variable" ADD COLUMN "position" INTEGER;
ALTER TABLE "Variable" ADD COLUMN "blankLineBefore" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "Variable_noteKeyVersion_idx" ON "Variable"("noteKeyVersion");
