import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { dayStrip, freshness } from "@/lib/backups/retention";
import type { Environment } from "@/lib/databases/schemas";
import type { RunStatus } from "@/lib/runner/states";

const STRIP_DAYS = 30;

type Facts = {
  id: string;
  n: bigint | number;
  newestGoodId: string | null;
  newestVerifiedId: string | null;
  lastRestoreId: string | null;
};
type Day = { databaseId: string; day: string; good: bigint | number; problems: bigint | number };

/**
 * Per protected database: newest good backup against the RPO, and the last 30 days.
 *
 * A fixed number of queries whatever the number of databases (the console's SQLite answers one
 * query at a time, so N small queries per database add up): one grouped query for the counts and
 * the newest good, newest verified and last restored ids (each a walk down a per-database index),
 * one count of every database's last 30 days by day, and one read each of the rows those ids name.
 */
export async function databaseFreshness(now = new Date()) {
  await requireRole("viewer");
  const since = new Date(now.getTime() - STRIP_DAYS * 86_400_000);
  const [databases, facts, days] = await Promise.all([
    db.database.findMany({
      orderBy: [{ environment: "asc" }, { name: "asc" }],
      include: { _count: { select: { sources: true } } },
    }),
    // COUNT(*) itself, from the (databaseId, vanishedAt) index; Prisma's count selects every row's
    // id first. A good backup: present, not empty, not failed verification. Proof that a backup
    // restores, not only that it exists: the newest restore run that succeeded.
    db.$queryRaw<Facts[]>`
      SELECT d."id" AS "id",
        (SELECT COUNT(*) FROM "Backup" b WHERE b."databaseId" = d."id" AND b."vanishedAt" IS NULL) AS "n",
        (SELECT b."id" FROM "Backup" b
          WHERE b."databaseId" = d."id" AND b."vanishedAt" IS NULL AND b."size" > 0 AND b."verificationState" <> 'failed'
          ORDER BY b."takenAt" DESC LIMIT 1) AS "newestGoodId",
        (SELECT b."id" FROM "Backup" b
          WHERE b."databaseId" = d."id" AND b."vanishedAt" IS NULL AND b."verificationState" = 'verified'
          ORDER BY b."takenAt" DESC LIMIT 1) AS "newestVerifiedId",
        (SELECT r."id" FROM "Run" r
          WHERE r."databaseId" = d."id" AND r."status" = ${"succeeded" satisfies RunStatus}
          ORDER BY r."finishedAt" DESC LIMIT 1) AS "lastRestoreId"
      FROM "Database" d`,
    // The last 30 days per database and UTC day: good backups (the strip) and failed or
    // odd-sized ones. takenAt is stored as ISO 8601 in UTC, so its first 10 characters are the
    // UTC day, and the `since` parameter is written in that same form.
    db.$queryRaw<Day[]>`
      SELECT b."databaseId" AS "databaseId", substr(b."takenAt", 1, 10) AS "day",
        SUM(CASE WHEN b."size" > 0 AND b."verificationState" <> 'failed' THEN 1 ELSE 0 END) AS "good",
        SUM(CASE WHEN b."verificationState" = 'failed' OR b."sizeAnomaly" IS NOT NULL THEN 1 ELSE 0 END) AS "problems"
      FROM "Backup" b
      WHERE b."databaseId" IS NOT NULL AND b."vanishedAt" IS NULL AND b."takenAt" >= ${since}
      GROUP BY b."databaseId", substr(b."takenAt", 1, 10)`,
  ]);
  const factsOf = new Map(facts.map((f) => [f.id, f]));
  const backupIds = facts.flatMap((f) => [f.newestGoodId, f.newestVerifiedId]).filter((id) => id !== null);
  const runIds = facts.map((f) => f.lastRestoreId).filter((id) => id !== null);
  const [backups, runs] = await Promise.all([
    backupIds.length === 0
      ? []
      : db.backup.findMany({
          where: { id: { in: [...new Set(backupIds)] } },
          select: { id: true, key: true, takenAt: true, verificationState: true },
        }),
    runIds.length === 0
      ? []
      : db.run.findMany({ where: { id: { in: runIds } }, select: { id: true, finishedAt: true } }),
  ]);
  const backupById = new Map(backups.map((b) => [b.id, b]));
  const runById = new Map(runs.map((r) => [r.id, r]));
  const daysOf = new Map<string, Day[]>();
  for (const d of days) daysOf.set(d.databaseId, [...(daysOf.get(d.databaseId) ?? []), d]);
  // The strip's 30 UTC days, oldest first (dayStrip's own list, so both agree on the days).
  const stripDays = dayStrip([], STRIP_DAYS, now).map((d) => d.day);
  return databases.map((d) => {
    const fact = factsOf.get(d.id);
    const newest = (fact?.newestGoodId && backupById.get(fact.newestGoodId)) || null;
    const newestVerified = (fact?.newestVerifiedId && backupById.get(fact.newestVerifiedId)) || null;
    const lastRestore = (fact?.lastRestoreId && runById.get(fact.lastRestoreId)) || null;
    const recent = daysOf.get(d.id) ?? [];
    const goodOn = new Map(recent.map((r) => [r.day, Number(r.good)]));
    const f = freshness(newest?.takenAt ?? null, d.rpoHours, now);
    return {
      id: d.id,
      name: d.name,
      environment: d.environment as Environment,
      rpoHours: d.rpoHours,
      // A database with no backup location cannot be judged: say so instead of "breached".
      configured: d._count.sources > 0,
      state: f.state,
      ageHours: f.ageHours,
      newest: newest && {
        id: newest.id,
        key: newest.key,
        takenAt: newest.takenAt.toISOString(),
        verificationState: newest.verificationState,
      },
      newestVerifiedAt: newestVerified?.takenAt.toISOString() ?? null,
      lastRestore: lastRestore?.finishedAt ? { runId: lastRestore.id, at: lastRestore.finishedAt.toISOString() } : null,
      strip: stripDays.map((day) => ({ day, count: goodOn.get(day) ?? 0 })),
      problemsLast30Days: recent.reduce((sum, r) => sum + Number(r.problems), 0),
      backupCount: Number(fact?.n ?? 0),
    };
  });
}
export type DatabaseFreshness = Awaited<ReturnType<typeof databaseFreshness>>[number];
