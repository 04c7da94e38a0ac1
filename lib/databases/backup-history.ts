import "server-only";
import { describeHeadSource, headSourceOf } from "@/lib/postgres/head-query";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import type { Environment } from "@/lib/databases/schemas";
import { BACKUP_RUN_SCENARIO } from "@/lib/backups/backup-run-kind";

const HISTORY_DAYS = 180;
const MAX_POINTS = 1_000;

/**
 * One protected database's page: its targets and, over the last 180 days, every catalogued
 * backup's size (with the size anomaly the catalog found) and how long its last verification
 * took, plus its restore runs and drills. No connection secret leaves this function.
 */
export async function databaseHistory(id: string, now = new Date()) {
  await requireRole("viewer");
  const d = await db.database.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      environment: true,
      host: true,
      port: true,
      dbName: true,
      rpoHours: true,
      rtoCorruptionMinutes: true,
      rtoInfraLossMinutes: true,
      rtoDcFailureMinutes: true,
      sslmode: true,
      sslRootCert: true,
      migrationHeadKind: true,
      migrationHeadSchema: true,
      migrationHeadTable: true,
      migrationHeadColumn: true,
      migrationHeadOrderBy: true,
      migrationHeadNote: true,
      sources: { select: { patterns: true, location: { select: { name: true } } } },
    },
  });
  if (!d) throw new NotFoundError("The database");
  const since = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const [backups, runs, drills] = await Promise.all([
    db.backup.findMany({
      where: { databaseId: id, takenAt: { gte: since } },
      orderBy: { takenAt: "asc" },
      take: MAX_POINTS,
      select: {
        id: true,
        key: true,
        size: true,
        takenAt: true,
        kind: true,
        format: true,
        verificationState: true,
        sizeAnomaly: true,
        vanishedAt: true,
        verifications: {
          where: { durationMs: { not: null } },
          orderBy: { startedAt: "desc" },
          take: 1,
          select: { durationMs: true, status: true },
        },
      },
    }),
    db.run.findMany({
      // Restore runs only: backup runs are listed with the schedule (lib/schedules/queries.ts).
      where: { databaseId: id, scenarioId: { not: BACKUP_RUN_SCENARIO } },
      orderBy: { createdAt: "desc" },
      take: 10,
      select: { id: true, scenarioId: true, status: true, createdAt: true, startedAt: true, finishedAt: true },
    }),
    db.drill.findMany({
      where: { databaseId: id },
      orderBy: { scheduledAt: "desc" },
      take: 10,
      select: { id: true, scenarioId: true, status: true, outcome: true, scheduledAt: true },
    }),
  ]);
  return {
    database: {
      id: d.id,
      name: d.name,
      environment: d.environment as Environment,
      server: `${d.host}:${d.port}`,
      dbName: d.dbName,
      rpoHours: d.rpoHours,
      rto: { corruption: d.rtoCorruptionMinutes, infraLoss: d.rtoInfraLossMinutes, dcFailure: d.rtoDcFailureMinutes },
      sources: d.sources.map((s) => ({ location: s.location.name, patterns: s.patterns })),
      sslmode: d.sslmode,
      caCertificate: d.sslRootCert !== null,
      migrationHead: describeHeadSource(headSourceOf(d)),
      migrationHeadNote: d.migrationHeadNote,
    },
    since: since.toISOString(),
    backups: backups.map((b) => ({
      id: b.id,
      key: b.key,
      size: Number(b.size),
      takenAt: b.takenAt.toISOString(),
      kind: b.kind,
      format: b.format,
      verificationState: b.verificationState,
      sizeAnomaly: b.sizeAnomaly,
      vanished: b.vanishedAt !== null,
      verificationMs: b.verifications[0]?.durationMs ?? null,
    })),
    runs: runs.map((r) => ({
      id: r.id,
      scenarioId: r.scenarioId,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      elapsedMs: r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
    })),
    drills: drills.map((x) => ({
      id: x.id,
      scenarioId: x.scenarioId,
      status: x.status,
      outcome: x.outcome,
      scheduledAt: x.scheduledAt.toISOString(),
    })),
  };
}
export type DatabaseHistory = Awaited<ReturnType<typeof databaseHistory>>;
export type BackupPoint = DatabaseHistory["backups"][number];
