-- AlterTable
ALTER TABLE "Variable" ADD COLUMN     "managedBy" TEXT;

-- CreateTable
CREATE TABLE "ServiceBinding" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "variable" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServiceBinding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ServiceBinding_projectId_name_key" ON "ServiceBinding"("projectId", "name");

-- CreateIndex
CREATE INDEX "Variable_managedBy_idx" ON "Variable"("managedBy");

-- AddForeignKey
ALTER TABLE "Variable" ADD CONSTRAINT "Variable_managedBy_fkey" FOREIGN KEY ("managedBy") REFERENCES "ServiceBinding"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceBinding" ADD CONSTRAINT "ServiceBinding_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

