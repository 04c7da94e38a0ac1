import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { dayStrip, freshness } from "@/lib/backups/retention";
import type { Environment } from "@/lib/databases/schemas";
import type { RunStatus } from "@/lib/runner/states";

const STRIP_DAYS = 30;

/** Per protected database: newest good backup against the RPO, and the last 30 days. */
export async function databaseFreshness(now = new Date()) {
  await requireRole("viewer");
  const databases = await db.database.findMany({
    orderBy: [{ environment: "asc" }, { name: "asc" }],
    include: { _count: { select: { sources: true } } },
  });
  const since = new Date(now.getTime() - STRIP_DAYS * 86_400_000);
  return Promise.all(
    databases.map(async (d) => {
      const good = { databaseId: d.id, vanishedAt: null, size: { gt: 0 }, verificationState: { not: "failed" } };
      // One read of the last 30 days answers the strip, the problems and, almost always, the
      // newest good and newest verified backup; only a database without them in 30 days asks again.
      const windowRows = db.backup
        .findMany({
          where: { databaseId: d.id, vanishedAt: null, takenAt: { gte: since } },
          orderBy: { takenAt: "desc" },
          select: { id: true, key: true, takenAt: true, verificationState: true, size: true, sizeAnomaly: true },
        })
        .then((rows) => rows); // a plain promise: read once, used four times
      const isGood = (b: { size: bigint; verificationState: string }) =>
        b.size > 0n && b.verificationState !== "failed";
      const [newest, newestVerified, recent, failedRecent, count, lastRestore] = await Promise.all([
        windowRows.then(
          (rows) =>
            rows.find(isGood) ??
            db.backup.findFirst({
              where: good,
              orderBy: { takenAt: "desc" },
              select: { id: true, key: true, takenAt: true, verificationState: true },
            }),
        ),
        windowRows.then(
          (rows) =>
            rows.find((b) => b.verificationState === "verified") ??
            db.backup.findFirst({
              where: { databaseId: d.id, vanishedAt: null, verificationState: "verified" },
              orderBy: { takenAt: "desc" },
              select: { id: true, takenAt: true },
            }),
        ),
        windowRows.then((rows) => rows.filter(isGood)),
        windowRows.then(
          (rows) => rows.filter((b) => b.verificationState === "failed" || b.sizeAnomaly !== null).length,
        ),
        // COUNT(*) itself, answered from the (databaseId, vanishedAt) index; Prisma's count selects
        // every row's id first, which reads each of a database's thousands of rows.
        db.$queryRaw<
          { n: bigint | number }[]
        >`SELECT COUNT(*) AS "n" FROM "Backup" WHERE "databaseId" = ${d.id} AND "vanishedAt" IS NULL`.then((r) =>
          Number(r[0]?.n ?? 0),
        ),
        // Proof that a backup restores, not only that it exists: the newest restore run that succeeded on it.
        db.run.findFirst({
          where: { databaseId: d.id, status: "succeeded" satisfies RunStatus },
          orderBy: { finishedAt: "desc" },
          select: { id: true, finishedAt: true },
        }),
      ]);
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
        lastRestore: lastRestore?.finishedAt
          ? { runId: lastRestore.id, at: lastRestore.finishedAt.toISOString() }
          : null,
        strip: dayStrip(
          recent.map((r) => r.takenAt),
          STRIP_DAYS,
          now,
        ),
        problemsLast30Days: failedRecent,
        backupCount: count,
      };
    }),
  );
}
export type DatabaseFreshness = Awaited<ReturnType<typeof databaseFreshness>>[number];
