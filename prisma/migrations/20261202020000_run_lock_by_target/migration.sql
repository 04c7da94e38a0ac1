-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RunLock" (
    "target" TEXT NOT NULL PRIMARY KEY,
    "databaseId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "acquiredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RunLock_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- The lock is keyed by the server database (lib/runner/lock.ts lockTarget), not by the Lifeboat
-- entry; a lock held now moves over (should two held locks name the same database, the older stays).
INSERT OR IGNORE INTO "new_RunLock" ("target", "acquiredAt", "databaseId", "holder", "runId")
SELECT (CASE WHEN lower(d."host") IN ('localhost', '127.0.0.1', '::1', '[::1]') THEN 'localhost' ELSE rtrim(lower(d."host"), '.') END)
       || ':' || d."port" || '/' || d."dbName",
       l."acquiredAt", l."databaseId", l."holder", l."runId"
FROM "RunLock" l JOIN "Database" d ON d."id" = l."databaseId"
ORDER BY l."acquiredAt";
DROP TABLE "RunLock";
ALTER TABLE "new_RunLock" RENAME TO "RunLock";
CREATE UNIQUE INDEX "RunLock_runId_key" ON "RunLock"("runId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

