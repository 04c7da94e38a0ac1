import "server-only";
import { X509Certificate } from "node:crypto";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import type { Environment } from "@/lib/databases/schemas";
import type { GfsPolicy } from "@/lib/backups/retention";
import { describeHeadSource, headSourceOf } from "@/lib/postgres/head-query";
import { pemBlocks } from "@/lib/postgres/tls";

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
    sslRootCert: d.sslRootCert,
    caCertificates: d.sslRootCert ? describeCertificates(d.sslRootCert) : [],
    migrationHeadKind: headSourceOf(d).kind,
    migrationHeadSchema: d.migrationHeadSchema,
    migrationHeadTable: d.migrationHeadTable,
    migrationHeadColumn: d.migrationHeadColumn,
    migrationHeadOrderBy: d.migrationHeadOrderBy,
    migrationHeadNote: d.migrationHeadNote,
    migrationHead: describeHeadSource(headSourceOf(d)),
    migrationUpgradeCommand: d.migrationUpgradeCommand,
    migrationDowngradeCommand: d.migrationDowngradeCommand,
    restoreJobs: d.restoreJobs,
    gfsDailyDays: d.gfsDailyDays,
    gfsWeeklyDays: d.gfsWeeklyDays,
    gfsMonthlyDays: d.gfsMonthlyDays,
    sources: d.sources.map((s) => ({ locationId: s.locationId, locationName: s.location.name, patterns: s.patterns })),
  }));
}
/** Who each CA certificate names and until when it is valid, for the admin to recognise it. */
function describeCertificates(pem: string): { subject: string; validTo: string; expired: boolean }[] {
  return pemBlocks(pem).flatMap((block) => {
    try {
      const c = new X509Certificate(block);
      const validTo = new Date(c.validTo);
      return [
        {
          subject: c.subject.replace(/\n/g, ", "),
          validTo: validTo.toISOString(),
          expired: validTo.getTime() < Date.now(),
        },
      ];
    } catch {
      return [];
    }
  });
}
export type DatabaseDto = Awaited<ReturnType<typeof listDatabases>>[number];

export function policyOf(d: { gfsDailyDays: number; gfsWeeklyDays: number; gfsMonthlyDays: number }): GfsPolicy {
  return { dailyDays: d.gfsDailyDays, weeklyDays: d.gfsWeeklyDays, monthlyDays: d.gfsMonthlyDays };
}
