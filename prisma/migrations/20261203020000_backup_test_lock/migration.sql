-- A countersigned monthly test record is locked: the database itself refuses to change or delete
-- it, whatever code tries. Only scratchDroppedAt may still be set (the scratch database kept for
-- inspection is dropped later, which the record must say). Remarks are append-only, and an
-- action item of a locked record may only be closed, once.
CREATE TRIGGER "BackupTest_locked_no_update" BEFORE UPDATE ON "BackupTest"
WHEN OLD."lockedAt" IS NOT NULL AND (
    NEW."id" IS NOT OLD."id" OR NEW."databaseId" IS NOT OLD."databaseId" OR NEW."month" IS NOT OLD."month"
    OR NEW."runId" IS NOT OLD."runId" OR NEW."status" IS NOT OLD."status" OR NEW."startedAt" IS NOT OLD."startedAt"
    OR NEW."finishedAt" IS NOT OLD."finishedAt" OR NEW."backupId" IS NOT OLD."backupId"
    OR NEW."backupKey" IS NOT OLD."backupKey" OR NEW."backupLocation" IS NOT OLD."backupLocation"
    OR NEW."backupSizeBytes" IS NOT OLD."backupSizeBytes" OR NEW."backupCreatedAt" IS NOT OLD."backupCreatedAt"
    OR NEW."backupSha256" IS NOT OLD."backupSha256" OR NEW."restoreMs" IS NOT OLD."restoreMs"
    OR NEW."rtoMinutes" IS NOT OLD."rtoMinutes" OR NEW."tableCounts" IS NOT OLD."tableCounts"
    OR NEW."queryResults" IS NOT OLD."queryResults" OR NEW."findings" IS NOT OLD."findings"
    OR NEW."scratchDatabase" IS NOT OLD."scratchDatabase" OR NEW."scratchKeepUntil" IS NOT OLD."scratchKeepUntil"
    OR NEW."performedBy" IS NOT OLD."performedBy" OR NEW."performedAt" IS NOT OLD."performedAt"
    OR NEW."signReason" IS NOT OLD."signReason" OR NEW."countersignedBy" IS NOT OLD."countersignedBy"
    OR NEW."countersignedAt" IS NOT OLD."countersignedAt" OR NEW."lockedAt" IS NOT OLD."lockedAt"
    OR NEW."createdBy" IS NOT OLD."createdBy" OR NEW."createdAt" IS NOT OLD."createdAt"
)
BEGIN
    SELECT RAISE(ABORT, 'This monthly test record is locked (countersigned): it cannot be changed; add a remark instead.');
END;

CREATE TRIGGER "BackupTest_locked_no_delete" BEFORE DELETE ON "BackupTest"
WHEN OLD."lockedAt" IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'This monthly test record is locked (countersigned): it cannot be deleted.');
END;

CREATE TRIGGER "BackupTestRemark_no_update" BEFORE UPDATE ON "BackupTestRemark"
BEGIN
    SELECT RAISE(ABORT, 'Remarks on a monthly test are append-only: add a new remark instead.');
END;

CREATE TRIGGER "BackupTestRemark_locked_no_delete" BEFORE DELETE ON "BackupTestRemark"
WHEN (SELECT "lockedAt" FROM "BackupTest" WHERE "id" = OLD."testId") IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'Remarks on a locked monthly test record cannot be deleted.');
END;

CREATE TRIGGER "BackupTestAction_locked_no_update" BEFORE UPDATE ON "BackupTestAction"
WHEN (SELECT "lockedAt" FROM "BackupTest" WHERE "id" = OLD."testId") IS NOT NULL AND (
    NEW."id" IS NOT OLD."id" OR NEW."testId" IS NOT OLD."testId" OR NEW."text" IS NOT OLD."text"
    OR NEW."owner" IS NOT OLD."owner" OR NEW."dueDate" IS NOT OLD."dueDate" OR OLD."closedAt" IS NOT NULL
)
BEGIN
    SELECT RAISE(ABORT, 'An action item of a locked monthly test record can only be closed, once.');
END;

CREATE TRIGGER "BackupTestAction_locked_no_delete" BEFORE DELETE ON "BackupTestAction"
WHEN (SELECT "lockedAt" FROM "BackupTest" WHERE "id" = OLD."testId") IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'Action items of a locked monthly test record cannot be deleted.');
END;
