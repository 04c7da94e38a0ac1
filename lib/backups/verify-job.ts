import "server-only";
import type { Verification } from "@prisma/client";
import { db } from "@/lib/db";
import { UserError, NotFoundError } from "@/lib/errors";
import { requireRole } from "@/lib/auth/guard";
import type { SessionUser } from "@/lib/auth/session";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { StorageError } from "@/lib/storage/provider";
import { verifyBackup } from "@/lib/backups/verify";
import { readStoredManifest, type BackupFormat } from "@/lib/backups/manifest";
import {
  ACTIVE_VERIFICATION_JOB_STATUSES,
  VERIFICATION_JOB_STATUSES,
  verificationChecksSchema,
  type VerificationJobStatus,
  type VerificationState,
} from "@/lib/backups/states";
import { parseStoredJson, storedState } from "@/lib/stored-json";
import { alertOnVerification } from "@/lib/alerts/verification-alerts";

// Verification runs outside the request; the Verification row is its record and its
// progress (the browser polls /api/verifications/[id]). One per backup at a time.

const running = new Set<string>();
const PROGRESS_EVERY_MS = 400;

export async function startVerification(
  input: { id: string },
  actor: SessionUser,
): Promise<{ verificationId: string; key: string; location: string }> {
  const backup = await db.backup.findUnique({ where: { id: input.id }, include: { location: true } });
  if (!backup) throw new NotFoundError("The backup");
  if (backup.vanishedAt)
    throw new UserError(
      "This backup is no longer in its location (it vanished at the last sync), so it cannot be verified.",
      409,
    );
  if (running.has(backup.id))
    throw new UserError("This backup is already being verified. Watch its progress below.", 409);
  running.add(backup.id);
  try {
    const v = await db.verification.create({
      data: {
        backupId: backup.id,
        status: "running" satisfies VerificationJobStatus,
        requestedBy: actor.email,
        bytesTotal: backup.size,
      },
    });
    void runVerification(v.id, backup).finally(() => running.delete(backup.id));
    return { verificationId: v.id, key: backup.key, location: backup.location.name };
  } catch (e) {
    running.delete(backup.id);
    throw e;
  }
}

/**
 * Verifies one backup with nobody watching (after a sync) and resolves when it has ended, so a
 * caller can bound how many run at once. Skips a backup that is gone or already being verified.
 */
export async function verifyUnattended(backupId: string, requestedBy: string): Promise<void> {
  const backup = await db.backup.findUnique({ where: { id: backupId }, include: { location: true } });
  if (!backup || backup.vanishedAt || running.has(backup.id)) return;
  running.add(backup.id);
  try {
    const v = await db.verification.create({
      data: {
        backupId: backup.id,
        status: "running" satisfies VerificationJobStatus,
        requestedBy,
        bytesTotal: backup.size,
      },
    });
    await runVerification(v.id, backup);
  } finally {
    running.delete(backup.id);
  }
}

type BackupWithLocation = NonNullable<
  Awaited<ReturnType<typeof db.backup.findUnique<{ where: { id: string }; include: { location: true } }>>>
>;

async function runVerification(verificationId: string, backup: BackupWithLocation) {
  const started = Date.now();
  let lastWrite = 0;
  try {
    const storage = createStorage(fullConfig(backup.location));
    const manifest = readStoredManifest(backup.manifest);
    const result = await verifyBackup({
      open: () => storage.read(backup.key),
      size: Number(backup.size),
      format: backup.format as BackupFormat,
      manifest,
      onProgress: (done) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = now;
        void db.verification
          .update({ where: { id: verificationId }, data: { bytesDone: BigInt(done) } })
          .catch(() => undefined);
      },
    });
    const finishedAt = new Date();
    await db.$transaction([
      db.verification.update({
        where: { id: verificationId },
        data: {
          status: (result.ok ? "passed" : "failed") satisfies VerificationJobStatus,
          finishedAt,
          bytesDone: BigInt(result.bytes),
          sha256: result.sha256,
          checks: JSON.stringify(result.checks),
          summary: result.summary,
          durationMs: result.durationMs,
        },
      }),
      db.backup.update({
        where: { id: backup.id },
        data: {
          verificationState: (result.ok ? "verified" : "failed") satisfies VerificationState,
          lastVerifiedAt: finishedAt,
          verificationSummary: result.summary,
        },
      }),
    ]);
    await alertOnVerification({
      backup: { id: backup.id, key: backup.key, databaseId: backup.databaseId, locationName: backup.location.name },
      ok: result.ok,
      summary: result.summary,
    });
  } catch (e) {
    const summary =
      e instanceof StorageError || e instanceof UserError
        ? `Could not read the backup: ${e.message}`
        : "The verification failed unexpectedly; the details are in the server log.";
    if (!(e instanceof StorageError) && !(e instanceof UserError)) console.error("[lifeboat] verification crashed:", e);
    // A read failure says nothing about the backup itself: the state stays as it was.
    await db.verification.update({
      where: { id: verificationId },
      data: {
        status: "interrupted" satisfies VerificationJobStatus,
        finishedAt: new Date(),
        summary,
        durationMs: Date.now() - started,
      },
    });
  }
}

/** A Verification row as the browser sees it (the run page polls it; the detail page lists them). */
export function verificationDto(v: Verification) {
  return {
    id: v.id,
    backupId: v.backupId,
    status: storedState(VERIFICATION_JOB_STATUSES, v.status, "verification status"),
    requestedBy: v.requestedBy,
    bytesDone: Number(v.bytesDone),
    bytesTotal: Number(v.bytesTotal),
    startedAt: v.startedAt.toISOString(),
    finishedAt: v.finishedAt?.toISOString() ?? null,
    summary: v.summary,
    sha256: v.sha256,
    durationMs: v.durationMs,
    checks: parseStoredJson(v.checks, verificationChecksSchema, "verification's checks (Verification.checks)"),
  };
}

export async function getVerification(id: string) {
  await requireRole("viewer");
  const v = await db.verification.findUnique({ where: { id } });
  if (!v) throw new NotFoundError("The verification");
  return verificationDto(v);
}
export type VerificationDto = Awaited<ReturnType<typeof getVerification>>;

export async function markInterruptedVerifications() {
  await db.verification.updateMany({
    where: { status: { in: [...ACTIVE_VERIFICATION_JOB_STATUSES] } },
    data: {
      status: "interrupted" satisfies VerificationJobStatus,
      finishedAt: new Date(),
      summary: "The console stopped during this verification. Run it again.",
    },
  });
}
