-- DropIndex
DROP INDEX "Backup_vanishedAt_takenAt_databaseId_size_idx";

-- CreateIndex
CREATE INDEX "Backup_vanishedAt_takenAt_id_databaseId_size_idx" ON "Backup"("vanishedAt", "takenAt", "id", "databaseId", "size");

-- CreateIndex
CREATE INDEX "DrillInterval_stepId_idx" ON "DrillInterval"("stepId");

