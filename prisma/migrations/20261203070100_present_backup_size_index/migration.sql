-- CreateIndex
CREATE INDEX "Backup_vanishedAt_takenAt_size_idx" ON "Backup"("vanishedAt", "takenAt", "size");

