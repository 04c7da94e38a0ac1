-- CreateIndex
CREATE INDEX "Backup_databaseId_vanishedAt_idx" ON "Backup"("databaseId", "vanishedAt");

-- CreateIndex
CREATE INDEX "Backup_locationId_vanishedAt_idx" ON "Backup"("locationId", "vanishedAt");

