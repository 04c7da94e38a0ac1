-- CreateIndex
CREATE INDEX "Backup_vanishedAt_size_idx" ON "Backup"("vanishedAt", "size");

