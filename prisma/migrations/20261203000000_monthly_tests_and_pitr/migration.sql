-- CreateTable
CREATE TABLE "TestPlan" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "databaseId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "cron" TEXT DEFAULT '0 3 * * MON#1',
    "backupChoice" TEXT NOT NULL DEFAULT 'newest_verified',
    "randomDays" INTEGER NOT NULL DEFAULT 30,
    "creation" TEXT NOT NULL DEFAULT 'scheduled',
    "creationMaxAgeHours" INTEGER NOT NULL DEFAULT 26,
    "testHost" TEXT NOT NULL,
    "testPort" INTEGER NOT NULL DEFAULT 5432,
    "testUser" TEXT NOT NULL,
    "testPasswordEnc" TEXT,
    "testSslmode" TEXT NOT NULL DEFAULT 'prefer',
    "testSslRootCert" TEXT,
    "scratchPrefix" TEXT NOT NULL DEFAULT 'lifeboat_test_',
    "keepScratchHours" INTEGER NOT NULL DEFAULT 0,
    "queryTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
    "lastDueAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TestPlan_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TestQuery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "planId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "sql" TEXT NOT NULL,
    "comparator" TEXT NOT NULL,
    "expected" TEXT,
    "manifestTable" TEXT,
    CONSTRAINT "TestQuery_planId_fkey" FOREIGN KEY ("planId") REFERENCES "TestPlan" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BackupTest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "databaseId" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "runId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "backupId" TEXT,
    "backupKey" TEXT,
    "backupLocation" TEXT,
    "backupSizeBytes" BIGINT,
    "backupCreatedAt" DATETIME,
    "backupSha256" TEXT,
    "restoreMs" INTEGER,
    "rtoMinutes" INTEGER NOT NULL,
    "tableCounts" TEXT NOT NULL DEFAULT '[]',
    "queryResults" TEXT NOT NULL DEFAULT '[]',
    "findings" TEXT NOT NULL DEFAULT '[]',
    "scratchDatabase" TEXT,
    "scratchKeepUntil" DATETIME,
    "scratchDroppedAt" DATETIME,
    "performedBy" TEXT,
    "performedAt" DATETIME,
    "signReason" TEXT NOT NULL DEFAULT '',
    "countersignedBy" TEXT,
    "countersignedAt" DATETIME,
    "lockedAt" DATETIME,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BackupTest_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BackupTestRemark" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "testId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BackupTestRemark_testId_fkey" FOREIGN KEY ("testId") REFERENCES "BackupTest" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BackupTestAction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "testId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "dueDate" DATETIME NOT NULL,
    "closedAt" DATETIME,
    "closedBy" TEXT,
    CONSTRAINT "BackupTestAction_testId_fkey" FOREIGN KEY ("testId") REFERENCES "BackupTest" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WalArchive" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "databaseId" TEXT NOT NULL,
    "stanza" TEXT NOT NULL,
    "configPath" TEXT,
    "repoType" TEXT NOT NULL DEFAULT 'posix',
    "repoPath" TEXT NOT NULL,
    "repoOptions" TEXT NOT NULL DEFAULT '{}',
    "repoSecretEnc" TEXT,
    "pgBinDir" TEXT,
    "walRpoMinutes" INTEGER NOT NULL DEFAULT 5,
    "lastHealth" TEXT,
    "lastCheckedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WalArchive_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RestorePoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "databaseId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "lsn" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'console',
    CONSTRAINT "RestorePoint_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RecoveryInstance" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "databaseId" TEXT NOT NULL,
    "runId" TEXT,
    "dataDir" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "pid" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'restoring',
    "target" TEXT NOT NULL DEFAULT '{}',
    "keepUntil" DATETIME,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" DATETIME,
    "removedAt" DATETIME,
    CONSTRAINT "RecoveryInstance_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "TestPlan_databaseId_key" ON "TestPlan"("databaseId");

-- CreateIndex
CREATE UNIQUE INDEX "TestQuery_planId_index_key" ON "TestQuery"("planId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "BackupTest_runId_key" ON "BackupTest"("runId");

-- CreateIndex
CREATE INDEX "BackupTest_databaseId_month_idx" ON "BackupTest"("databaseId", "month");

-- CreateIndex
CREATE INDEX "BackupTest_month_idx" ON "BackupTest"("month");

-- CreateIndex
CREATE UNIQUE INDEX "WalArchive_databaseId_key" ON "WalArchive"("databaseId");

-- CreateIndex
CREATE INDEX "RestorePoint_databaseId_createdAt_idx" ON "RestorePoint"("databaseId", "createdAt");

-- CreateIndex
CREATE INDEX "RecoveryInstance_status_idx" ON "RecoveryInstance"("status");

