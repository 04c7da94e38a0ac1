-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scenarioId" TEXT NOT NULL,
    "scenarioVersion" INTEGER NOT NULL,
    "databaseId" TEXT NOT NULL,
    "backupId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'planned',
    "plan" TEXT NOT NULL,
    "planHash" TEXT NOT NULL,
    "options" TEXT NOT NULL DEFAULT '{}',
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedBy" TEXT,
    "confirmedAt" DATETIME,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "verdict" TEXT,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "keepScratch" BOOLEAN NOT NULL DEFAULT false,
    "cleanedUpAt" DATETIME,
    "cleanupNote" TEXT,
    "scratchDroppedAt" DATETIME,
    CONSTRAINT "Run_databaseId_fkey" FOREIGN KEY ("databaseId") REFERENCES "Database" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Run_backupId_fkey" FOREIGN KEY ("backupId") REFERENCES "Backup" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("backupId", "cancelRequested", "confirmedAt", "confirmedBy", "createdAt", "createdBy", "databaseId", "finishedAt", "id", "leaseExpiresAt", "leaseOwner", "options", "plan", "planHash", "scenarioId", "scenarioVersion", "startedAt", "status", "verdict") SELECT "backupId", "cancelRequested", "confirmedAt", "confirmedBy", "createdAt", "createdBy", "databaseId", "finishedAt", "id", "leaseExpiresAt", "leaseOwner", "options", "plan", "planHash", "scenarioId", "scenarioVersion", "startedAt", "status", "verdict" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE INDEX "Run_databaseId_createdAt_idx" ON "Run"("databaseId", "createdAt");
CREATE INDEX "Run_status_idx" ON "Run"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

