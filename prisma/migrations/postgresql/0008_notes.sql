-- AlterTable
ALTER TABLE "Variable" ADD COLUMN     "blankLineBefore" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "noteCiphertext" BYTEA,
ADD COLUMN     "noteKeyVersion" INTEGER,
ADD COLUMN     "noteVersion" INTEGER,
ADD COLUMN     "position" INTEGER;

-- CreateIndex
CREATE INDEX "Variable_noteKeyVersion_idx" ON "Variable"("noteKeyVersion");

