import "server-only";
import { db } from "@/lib/db";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";
import { formatHours, rpoVerdict } from "@/lib/alerts/rpo-rule";

// The dead-man switch: every few minutes, whatever else runs or does not, each database with a
// backup location is checked for a good backup within its RPO. Nothing has to happen for it to
// fire: a backup job that never started is exactly what it is for. "Good" is what the
// dashboard's freshness counts: present in its location, not empty, not failed verification.

// `databaseIds` narrows the check to some databases (a sync judges only the databases of the
// location it listed); the timer checks them all.
export async function checkRpo(opts: { now?: Date; databaseIds?: string[] } = {}): Promise<{ breached: string[] }> {
  const now = opts.now ?? new Date();
  const scope = opts.databaseIds ? { id: { in: opts.databaseIds } } : {};
  const [databases, synced] = await Promise.all([
    db.database.findMany({
      where: scope,
      select: { id: true, name: true, rpoHours: true, sources: { select: { locationId: true } } },
    }),
    db.syncRun.findMany({
      where: { finishedAt: { not: null } },
      distinct: ["locationId"],
      select: { locationId: true },
    }),
  ]);
  const syncedLocations = new Set(synced.map((s) => s.locationId));
  const breached: string[] = [];
  const judged = new Set<string>();
  const notYet = new Set<string>();
  for (const d of databases) {
    // Without a backup location nothing can be judged (the dashboard says "not configured").
    if (d.sources.length === 0) continue;
    // The catalog says nothing yet about a location whose first sync has not ended (a new
    // location, a fresh install): judging it would report backups missing that are only unlisted.
    if (!d.sources.every((s) => syncedLocations.has(s.locationId))) {
      notYet.add(d.id);
      continue;
    }
    judged.add(d.id);
    const newest = await db.backup.findFirst({
      where: { databaseId: d.id, vanishedAt: null, size: { gt: 0 }, verificationState: { not: "failed" } },
      orderBy: { takenAt: "desc" },
      select: { takenAt: true, key: true },
    });
    const verdict = rpoVerdict(newest?.takenAt ?? null, d.rpoHours, now);
    const ref = { event: "rpo_breached" as const, databaseId: d.id };
    if (verdict.breached) {
      breached.push(d.id);
      await raiseAlert({
        ...ref,
        now,
        link: `/databases/${d.id}`,
        message: newest
          ? `No good backup of ${d.name} within its RPO of ${formatHours(d.rpoHours)}: the newest good one, ${newest.key}, was taken ${newest.takenAt.toISOString()} (${formatHours(verdict.ageHours ?? 0)} ago). Check the backup job and its location, then sync the location.`
          : `No good backup of ${d.name} is in its locations at all (RPO ${formatHours(d.rpoHours)}). Check the backup job and its location, then sync the location.`,
      });
    } else {
      await resolveAlert({
        ...ref,
        now,
        resolution: `A good backup of ${d.name}, ${newest?.key ?? "?"}, taken ${newest?.takenAt.toISOString() ?? "?"}, is within the RPO of ${formatHours(d.rpoHours)}.`,
      });
    }
  }
  // Databases removed, or no longer given a location, have nothing left to wait for.
  const stale = await db.alertIncident.findMany({
    where: {
      event: "rpo_breached",
      openKey: { not: null },
      ...(opts.databaseIds ? { databaseId: { in: opts.databaseIds } } : {}),
    },
    select: { databaseId: true },
  });
  for (const s of stale) {
    if (s.databaseId && !judged.has(s.databaseId) && !notYet.has(s.databaseId))
      await resolveAlert({
        event: "rpo_breached",
        databaseId: s.databaseId,
        now,
        resolution:
          "The database was removed from Lifeboat or no longer has a backup location, so its RPO is no longer checked.",
      });
  }
  return { breached };
}
