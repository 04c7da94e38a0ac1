-- Sessions end when the password changes or the account is disabled (User.sessionVersion).
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;

-- The audit log becomes a hash chain (lib/audit/chain.ts). The table is rebuilt because `seq` is
-- required and actorId stops being a foreign key (history must not change when a user goes).
-- Rows written before the chain keep no hash and are numbered in the order they happened
-- (time, then id); the first chained row's prevHash is computed over them, so they are covered
-- from then on.
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorEmail" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "prevHash" TEXT,
    "hash" TEXT
);
INSERT INTO "new_AuditEvent" ("seq", "action", "actorEmail", "actorId", "at", "detail", "id", "targetId", "targetType")
SELECT ROW_NUMBER() OVER (ORDER BY "at", "id"), "action", "actorEmail", "actorId", "at", "detail", "id", "targetId", "targetType"
FROM "AuditEvent";
DROP TABLE "AuditEvent";
ALTER TABLE "new_AuditEvent" RENAME TO "AuditEvent";
CREATE UNIQUE INDEX "AuditEvent_seq_key" ON "AuditEvent"("seq");
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");
CREATE INDEX "AuditEvent_targetType_targetId_idx" ON "AuditEvent"("targetType", "targetId");
CREATE INDEX "AuditEvent_action_idx" ON "AuditEvent"("action");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Append-only in the database itself, not only by convention: nothing may change or remove an
-- event. (Someone with the file can drop these; the hash chain then shows what they changed.)
CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'The audit log is append-only: audit events cannot be changed.');
END;
CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'The audit log is append-only: audit events cannot be deleted.');
END;
