-- CreateTable
CREATE TABLE "SecretRequest" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "branchId" TEXT,
    "key" TEXT NOT NULL,
    "note" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedByUserId" TEXT,
    "requestedByTokenId" TEXT,
    "requestedByName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "fulfilledAt" TIMESTAMP(3),
    "fulfilledByUserId" TEXT,
    "fulfilledByName" TEXT,
    "cancelledAt" TIMESTAMP(3),
    "cancelledByName" TEXT,

    CONSTRAINT "SecretRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SecretRequest_projectId_createdAt_idx" ON "SecretRequest"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "SecretRequest_environmentId_idx" ON "SecretRequest"("environmentId");

-- CreateIndex
CREATE INDEX "SecretRequest_branchId_idx" ON "SecretRequest"("branchId");

-- AddForeignKey
ALTER TABLE "SecretRequest" ADD CONSTRAINT "SecretRequest_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretRequest" ADD CONSTRAINT "SecretRequest_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SecretRequest" ADD CONSTRAINT "SecretRequest_branchId_fkey" FOREIGN KEY ("branchId") REFERENCES "ProjectBranch"("id") ON DELETE CASCADE ON UPDATE CASCADE;

