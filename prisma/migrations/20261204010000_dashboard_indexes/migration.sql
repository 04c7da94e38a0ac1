-- DropIndex
DROP INDEX "Backup_vanishedAt_takenAt_size_idx";

-- CreateIndex
CREATE INDEX "Backup_vanishedAt_takenAt_databaseId_size_idx" ON "Backup"("vanishedAt", "takenAt", "databaseId", "size");

-- CreateIndex
CREATE INDEX "Run_databaseId_status_finishedAt_idx" ON "Run"("databaseId", "status", "finishedAt");

