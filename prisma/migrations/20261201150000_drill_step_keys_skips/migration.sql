-- AlterTable
ALTER TABLE "DrillInterval" ADD COLUMN "runId" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DrillStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "drillId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "key" TEXT NOT NULL DEFAULT '',
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "issues" TEXT NOT NULL DEFAULT '',
    "finishedAt" DATETIME,
    "skippedAt" DATETIME,
    "skippedBy" TEXT,
    "skipReason" TEXT NOT NULL DEFAULT '',
    "runId" TEXT,
    CONSTRAINT "DrillStep_drillId_fkey" FOREIGN KEY ("drillId") REFERENCES "Drill" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DrillStep" ("drillId", "finishedAt", "id", "index", "issues", "kind", "notes", "runId", "title") SELECT "drillId", "finishedAt", "id", "index", "issues", "kind", "notes", "runId", "title" FROM "DrillStep";
DROP TABLE "DrillStep";
ALTER TABLE "new_DrillStep" RENAME TO "DrillStep";
CREATE UNIQUE INDEX "DrillStep_drillId_index_key" ON "DrillStep"("drillId", "index");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

