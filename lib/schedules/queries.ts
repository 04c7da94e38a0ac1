import "server-only";
import { db } from "@/lib/db";
import { nextDue } from "@/lib/schedules/cron";
import { storedCopyLocationIds } from "@/lib/schedules/schemas";
import { BACKUP_RUN_SCENARIO } from "@/lib/backups/backup-run-kind";

// What the database page shows about backups Lifeboat takes: the schedule with its next run, and
// the last backup runs.

export type ScheduleView = {
  id: string;
  cron: string;
  enabled: boolean;
  format: string;
  locationId: string;
  locationName: string;
  copyLocationIds: string[];
  copyLocationNames: string[];
  nextRunAt: string | null;
  lastDueAt: string | null;
  lastRunAt: string | null;
  lastRunId: string | null;
};

export async function scheduleOf(databaseId: string, now: Date = new Date()): Promise<ScheduleView | null> {
  const s = await db.backupSchedule.findUnique({ where: { databaseId }, include: { location: true } });
  if (!s) return null;
  const copyLocationIds = storedCopyLocationIds(s.copyLocationIds);
  const copies = await db.location.findMany({
    where: { id: { in: copyLocationIds } },
    select: { id: true, name: true },
  });
  let next: Date | null = null;
  try {
    next = s.enabled ? nextDue(s.cron, now) : null;
  } catch {
    next = null;
  }
  return {
    id: s.id,
    cron: s.cron,
    enabled: s.enabled,
    format: s.format,
    locationId: s.locationId,
    locationName: s.location.name,
    copyLocationIds,
    copyLocationNames: copyLocationIds.map((id) => copies.find((c) => c.id === id)?.name ?? "(removed)"),
    nextRunAt: next?.toISOString() ?? null,
    lastDueAt: s.lastDueAt?.toISOString() ?? null,
    lastRunAt: s.lastRunAt?.toISOString() ?? null,
    lastRunId: s.lastRunId,
  };
}

export type BackupRunRow = {
  id: string;
  status: string;
  createdAt: string;
  createdBy: string;
  verdict: string | null;
};

export async function recentBackupRuns(databaseId: string, take = 5): Promise<BackupRunRow[]> {
  const runs = await db.run.findMany({
    where: { databaseId, scenarioId: BACKUP_RUN_SCENARIO },
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, status: true, createdAt: true, createdBy: true, verdict: true },
  });
  return runs.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

/** Locations a backup may go to (id and name), for the forms. */
export async function locationChoices(): Promise<{ id: string; name: string; kind: string }[]> {
  return db.location.findMany({ select: { id: true, name: true, kind: true }, orderBy: { name: "asc" } });
}

/** Everything the database page's backup card needs. */
export async function backupSetupOf(databaseId: string, now: Date = new Date()) {
  const [schedule, runs, locations, sources] = await Promise.all([
    scheduleOf(databaseId, now),
    recentBackupRuns(databaseId),
    locationChoices(),
    db.databaseSource.findMany({ where: { databaseId }, select: { locationId: true } }),
  ]);
  const defaultLocationId = schedule?.locationId ?? (sources.length === 1 ? sources[0]!.locationId : null);
  return { schedule, runs, locations, defaultLocationId };
}
