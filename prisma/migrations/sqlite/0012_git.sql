-- CreateTable
CREATE TABLE "GitConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "secretCiphertext" BLOB NOT NULL,
    "keyVersion" INTEGER NOT NULL,
    "createPreviews" BOOLEAN NOT NULL DEFAULT false,
    "previewUrl" TEXT,
    "connectedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "connectedBy" TEXT,
    "lastDeliveryAt" DATETIME,
    CONSTRAINT "GitConnection_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "GitDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "branch" TEXT,
    "repository" TEXT,
    "overridesRemoved" INTEGER,
    "preview" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "GitDelivery_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "GitConnection_projectId_key" ON "GitConnection"("projectId");

-- CreateIndex
CREATE INDEX "GitConnection_keyVersion_idx" ON "GitConnection"("keyVersion");

-- CreateIndex
CREATE INDEX "GitDelivery_projectId_receivedAt_idx" ON "GitDelivery"("projectId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "GitDelivery_projectId_deliveryId_key" ON "GitDelivery"("projectId", "deliveryId");

-- CreateIndex
CREATE UNIQUE INDEX "GitDelivery_projectId_bodyHash_key" ON "GitDelivery"("projectId", "bodyHash");

