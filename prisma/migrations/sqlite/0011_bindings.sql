-- CreateTable
CREATE TABLE "ServiceBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "variable" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ServiceBinding_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ServiceBinding_projectId_name_key" ON "ServiceBinding"("projectId", "name");

-- AlterTable: a plain ADD COLUMN (never a table rebuild: inside the migration transaction
-- PRAGMA foreign_keys=OFF is ignored and dropping "Variable" would cascade to its overrides).
ALTER TABLE "Variable" ADD COLUMN "managedBy" TEXT REFERENCES "ServiceBinding" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "Variable_managedBy_idx" ON "Variable"("managedBy");
