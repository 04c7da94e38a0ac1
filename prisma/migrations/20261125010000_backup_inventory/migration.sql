-- CreateTable
CREATE TABLE "Location" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "secrets" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastProbeAt" DATETIME,
    "lastProbeLatencyMs" INTEGER,
    "lastProbeError" TEXT
);

-- CreateTable
CREATE TABLE "Database" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'production',
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 5432,
    "dbName" TEXT NOT NULL,
    "user" TEXT NOT NULL,
    "passwordEnc" TEXT,
    "sslmode" TEXT NOT NULL DEFAULT 'prefer',
    "rpoHours" REAL NOT NULL DEFAULT 24,
    "rtoCorruptionMinutes" INTEGER NOT NULL DEFAULT 15,
    "rtoInfraLossMinutes" INTEGER NOT NULL DEFAULT 120,
    "rtoDcFailureMinutes" INTEGER NOT NULL DEFAULT 240,
    "migrationHeadQuery" TEXT NOT NULL DEFAULT 'select version_num from alembic_version',
    "gfsDailyDays" INTEGER NOT NULL DEFAULT 30,
    "gfsWeeklyDays" INTEGER NOT NULL DEFAULT 91,
    "gfsMonthlyDays" INTEGER NOT NULL DEFAULT 365,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DatabaseSource" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "databaseId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "patterns" TEXT NOT NULL DEFAULT '*',
    CONSTRAINT "DatabaseSource_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DatabaseSource_locationId_fkey" FOREIGN KEY ("locationId") REFERENCES "Location" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Backup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "locationId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "lastModified" DATETIME NOT NULL,
    "etag" TEXT,
    "takenAt" DATETIME NOT NULL,
    "takenAtSource" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "databaseId" TEXT,
    "weekday" INTEGER NOT NULL,
    "dayOfMonth" INTEGER NOT NULL,
    "critical" BOOLEAN NOT NULL DEFAULT false,
    "manifest" TEXT,
    "manifestError" TEXT,
    "verificationState" TEXT NOT NULL DEFAULT 'not_verified',
    "lastVerifiedAt" DATETIME,
    "verificationSummary" TEXT,
    "sizeAnomaly" TEXT,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "vanishedAt" DATETIME,
    CONSTRAINT "Backup_locationId_fkey" FOREIGN KEY ("locationId") REFERENCES "Location" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Backup_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Verification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "backupId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "requestedBy" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "bytesDone" BIGINT NOT NULL DEFAULT 0,
    "bytesTotal" BIGINT NOT NULL DEFAULT 0,
    "sha256" TEXT,
    "checks" TEXT NOT NULL DEFAULT '[]',
    "summary" TEXT,
    "durationMs" INTEGER,
    CONSTRAINT "Verification_backupId_fkey" FOREIGN KEY ("backupId") REFERENCES "Backup" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "locationId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "objectsSeen" INTEGER NOT NULL DEFAULT 0,
    "added" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "vanished" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    CONSTRAINT "SyncRun_locationId_fkey" FOREIGN KEY ("locationId") REFERENCES "Location" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Location_name_key" ON "Location"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Database_name_key" ON "Database"("name");

-- CreateIndex
CREATE UNIQUE INDEX "DatabaseSource_databaseId_locationId_key" ON "DatabaseSource"("databaseId", "locationId");

-- CreateIndex
CREATE INDEX "Backup_takenAt_idx" ON "Backup"("takenAt");

-- CreateIndex
CREATE INDEX "Backup_databaseId_takenAt_idx" ON "Backup"("databaseId", "takenAt");

-- CreateIndex
CREATE INDEX "Backup_locationId_takenAt_idx" ON "Backup"("locationId", "takenAt");

-- CreateIndex
CREATE INDEX "Backup_verificationState_takenAt_idx" ON "Backup"("verificationState", "takenAt");

-- CreateIndex
CREATE INDEX "Backup_format_takenAt_idx" ON "Backup"("format", "takenAt");

-- CreateIndex
CREATE INDEX "Backup_size_idx" ON "Backup"("size");

-- CreateIndex
CREATE UNIQUE INDEX "Backup_locationId_key_key" ON "Backup"("locationId", "key");

-- CreateIndex
CREATE INDEX "Verification_backupId_startedAt_idx" ON "Verification"("backupId", "startedAt");

-- CreateIndex
CREATE INDEX "SyncRun_locationId_startedAt_idx" ON "SyncRun"("locationId", "startedAt");

