import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import { BACKUP_RUN_SCENARIO } from "@/lib/backups/backup-run-kind";
import { readCheckedManifest, trustedManifest } from "@/lib/backups/manifest-trust";
import { backupChecklist, SIZE_WINDOW, type ChecklistItem } from "@/lib/backups/checklist";
import { parseStoredJsonOrNull } from "@/lib/stored-json";

// Reads the facts the backup checklist is ticked by: the run that made it, the newest passed
// verification (the read-back), the earlier sizes, the retention run after it and the audit log.

const retentionDetail = z.looseObject({
  status: z.string(),
  deleted: z.number().optional(),
  refusals: z.array(z.string()).optional(),
});

export async function getBackupChecklist(backupId: string): Promise<ChecklistItem[]> {
  await requireRole("viewer");
  const b = await db.backup.findUnique({ where: { id: backupId }, include: { location: { select: { name: true } } } });
  if (!b) throw new NotFoundError("The backup");
  let manifestSha256: string | null = null;
  try {
    manifestSha256 = trustedManifest(readCheckedManifest(b.manifest))?.sha256 ?? null;
  } catch {
    manifestSha256 = null;
  }
  const [run, verification, previous, retention, auditEvents] = await Promise.all([
    db.run.findFirst({
      where: { backupId: b.id, scenarioId: BACKUP_RUN_SCENARIO },
      orderBy: { createdAt: "desc" },
      select: { id: true, status: true, finishedAt: true },
    }),
    db.verification.findFirst({
      where: { backupId: b.id, status: "passed" },
      orderBy: { startedAt: "desc" },
      select: { finishedAt: true, startedAt: true, sha256: true, bytesDone: true },
    }),
    b.databaseId
      ? db.backup.findMany({
          where: { databaseId: b.databaseId, takenAt: { lt: b.takenAt }, id: { not: b.id } },
          orderBy: { takenAt: "desc" },
          take: SIZE_WINDOW,
          select: { size: true },
        })
      : Promise.resolve([]),
    b.databaseId
      ? db.auditEvent.findFirst({
          where: {
            action: "retention.run",
            targetType: "database",
            targetId: b.databaseId,
            at: { gte: b.firstSeenAt },
          },
          orderBy: { seq: "desc" },
          select: { at: true, detail: true },
        })
      : Promise.resolve(null),
    db.auditEvent.count({ where: { targetType: "backup", targetId: b.id } }),
  ]);
  const database = b.databaseId
    ? await db.database.findUnique({ where: { id: b.databaseId }, select: { id: true, name: true } })
    : null;
  const r = retention
    ? parseStoredJsonOrNull(retention.detail, retentionDetail, "retention run (AuditEvent.detail)")
    : null;
  return backupChecklist({
    key: b.key,
    locationName: b.location.name,
    format: b.format,
    size: Number(b.size),
    takenAt: b.takenAt,
    takenAtSource: b.takenAtSource,
    vanishedAt: b.vanishedAt,
    previousSizes: previous.map((p) => Number(p.size)).reverse(),
    backupRun: run,
    manifestSha256,
    passedVerification: verification
      ? {
          at: verification.finishedAt ?? verification.startedAt,
          sha256: verification.sha256,
          bytes: Number(verification.bytesDone),
        }
      : null,
    verificationState: b.verificationState,
    verificationSummary: b.verificationSummary,
    database,
    retentionAfter:
      retention && r
        ? { at: retention.at, status: r.status, deleted: r.deleted ?? null, refusals: r.refusals ?? [] }
        : null,
    auditEvents,
  });
}
