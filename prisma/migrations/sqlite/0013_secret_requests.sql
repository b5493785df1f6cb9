-- CreateTable
CREATE TABLE "SecretRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "branchId" TEXT,
    "key" TEXT NOT NULL,
    "note" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedByUserId" TEXT,
    "requestedByTokenId" TEXT,
    "requestedByName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "fulfilledAt" DATETIME,
    "fulfilledByUserId" TEXT,
    "fulfilledByName" TEXT,
    "cancelledAt" DATETIME,
    "cancelledByName" TEXT,
    CONSTRAINT "SecretRequest_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SecretRequest_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SecretRequest_branchId_fkey" FOREIGN KEY ("branchId") REFERENCES "ProjectBranch" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SecretRequest_projectId_createdAt_idx" ON "SecretRequest"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "SecretRequest_environmentId_idx" ON "SecretRequest"("environmentId");

-- CreateIndex
CREATE INDEX "SecretRequest_branchId_idx" ON "SecretRequest"("branchId");

