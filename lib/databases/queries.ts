import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import type { Environment } from "@/lib/databases/schemas";
import type { GfsPolicy } from "@/lib/backups/retention";

export async function listDatabases() {
  await requireRole("viewer");
  const rows = await db.database.findMany({
    orderBy: [{ environment: "asc" }, { name: "asc" }],
    include: { sources: { include: { location: { select: { name: true } } } } },
  });
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    environment: d.environment as Environment,
    host: d.host,
    port: d.port,
    dbName: d.dbName,
    user: d.user,
    passwordSet: Boolean(d.passwordEnc),
    sslmode: d.sslmode,
    rpoHours: d.rpoHours,
    rtoCorruptionMinutes: d.rtoCorruptionMinutes,
    rtoInfraLossMinutes: d.rtoInfraLossMinutes,
    rtoDcFailureMinutes: d.rtoDcFailureMinutes,
    migrationHeadQuery: d.migrationHeadQuery,
    migrationUpgradeCommand: d.migrationUpgradeCommand,
    migrationDowngradeCommand: d.migrationDowngradeCommand,
    gfsDailyDays: d.gfsDailyDays,
    gfsWeeklyDays: d.gfsWeeklyDays,
    gfsMonthlyDays: d.gfsMonthlyDays,
    sources: d.sources.map((s) => ({ locationId: s.locationId, locationName: s.location.name, patterns: s.patterns })),
  }));
}
export type DatabaseDto = Awaited<ReturnType<typeof listDatabases>>[number];

export function policyOf(d: { gfsDailyDays: number; gfsWeeklyDays: number; gfsMonthlyDays: number }): GfsPolicy {
  return { dailyDays: d.gfsDailyDays, weeklyDays: d.gfsWeeklyDays, monthlyDays: d.gfsMonthlyDays };
}
