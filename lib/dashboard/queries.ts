import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { storedState } from "@/lib/stored-json";
import { isFailedSync, SYNC_STATUSES } from "@/lib/catalog/sync-states";
import { RUN_STATUSES, type RunStatus } from "@/lib/runner/states";

// The dashboard's own reads: only what its cards show, each in one query, since the console's
// SQLite answers one query at a time and the dashboard asks many.

/**
 * Every location with its last sync's outcome, for the Console card: how many locations there
 * are and which of them last failed. (The Settings pages' location list also counts each
 * location's backups, which the dashboard does not show.)
 */
export async function locationSyncHealth() {
  await requireRole("viewer");
  const rows = await db.$queryRaw<{ id: string; name: string; status: string | null; error: string | null }[]>`
    SELECT l."id" AS "id", l."name" AS "name", s."status" AS "status", s."error" AS "error"
    FROM "Location" l
    LEFT JOIN "SyncRun" s ON s."id" =
      (SELECT s2."id" FROM "SyncRun" s2 WHERE s2."locationId" = l."id" ORDER BY s2."startedAt" DESC LIMIT 1)
    ORDER BY l."name" ASC`;
  return rows.map((r) => {
    const status = r.status === null ? null : storedState(SYNC_STATUSES, r.status, "sync status (SyncRun.status)");
    return {
      id: r.id,
      name: r.name,
      lastSync: status && { status, error: r.error },
      failing: !!status && isFailedSync(status),
    };
  });
}
export type LocationSyncHealth = Awaited<ReturnType<typeof locationSyncHealth>>[number];

/** Runs under way or interrupted (waiting to be resumed or cancelled), newest first, however old. */
export const ATTENTION_RUN_STATUSES = [
  "queued",
  "running",
  "waiting",
  "interrupted",
] as const satisfies readonly RunStatus[];

export async function activeRestoreRuns() {
  await requireRole("viewer");
  const runs = await db.run.findMany({
    where: { status: { in: [...ATTENTION_RUN_STATUSES] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, status: true, scenarioId: true, confirmedBy: true, database: { select: { name: true } } },
  });
  return runs.map((r) => ({
    id: r.id,
    status: storedState(RUN_STATUSES, r.status, "run status (Run.status)"),
    scenarioId: r.scenarioId,
    databaseName: r.database.name,
    confirmedBy: r.confirmedBy,
  }));
}

/** host:port, or a socket folder and its port (libpq reads a host starting with / as a folder). */
function serverWords(host: string, port: number): string {
  return host.startsWith("/") ? `${host} (socket, port ${port})` : `${host}:${port}`;
}

/**
 * Scratch databases a monthly test kept for its plan's hours (the scheduler's sweep drops each
 * once its time is up): which test, on which test server, until when.
 */
export async function keptTestScratchDatabases(now = new Date()) {
  await requireRole("viewer");
  const tests = await db.backupTest.findMany({
    where: { scratchDatabase: { not: null }, scratchKeepUntil: { not: null }, scratchDroppedAt: null },
    orderBy: { scratchKeepUntil: "asc" },
    select: {
      id: true,
      month: true,
      scratchDatabase: true,
      scratchKeepUntil: true,
      database: { select: { name: true, testPlan: { select: { testHost: true, testPort: true } } } },
    },
  });
  return tests.map((t) => ({
    testId: t.id,
    month: t.month,
    scratchDatabase: t.scratchDatabase!,
    databaseName: t.database.name,
    server: t.database.testPlan ? serverWords(t.database.testPlan.testHost, t.database.testPlan.testPort) : null,
    keepUntil: t.scratchKeepUntil!.toISOString(),
    // Past its time but not dropped: the sweep has not run yet, or dropping it failed.
    overdue: t.scratchKeepUntil!.getTime() <= now.getTime(),
  }));
}
export type KeptTestScratchDatabase = Awaited<ReturnType<typeof keptTestScratchDatabases>>[number];
