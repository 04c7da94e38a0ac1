import "server-only";
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import { requireScenario } from "@/lib/scenarios/registry";
import { readCheckedManifest, trustedManifest } from "@/lib/backups/manifest-trust";

// The wizard's reads: which backups fit a scenario, and which one to suggest.

export type Candidate = {
  id: string;
  key: string;
  takenAt: string;
  size: number;
  format: string;
  kind: string;
  locationName: string;
  locationKind: string;
  verificationState: string;
  hasManifest: boolean;
  sizeAnomaly: string | null;
};

const usable: Prisma.BackupWhereInput = {
  vanishedAt: null,
  size: { gt: 0 },
  verificationState: { not: "failed" },
  format: { not: "unknown" },
};

/**
 * Candidates newest first, ordered and with the suggestion picked by the scenario's own rule
 * (its `backups` filter and `suggestBackup`, in lib/scenarios/).
 */
export async function backupCandidates(scenarioId: string, databaseId: string, opts: { deletedAt?: Date } = {}) {
  await requireRole("operator");
  const scenario = requireScenario(scenarioId);
  const where: Prisma.BackupWhereInput = { ...usable, databaseId };
  if (scenario.backups.beforeGivenTime && opts.deletedAt) where.takenAt = { lt: opts.deletedAt };
  if (scenario.backups.kind) where.kind = scenario.backups.kind;
  const rows = await db.backup.findMany({
    where,
    orderBy: { takenAt: "desc" },
    take: 30,
    include: { location: { select: { name: true, kind: true } } },
  });
  const found: Candidate[] = rows.map((b) => ({
    id: b.id,
    key: b.key,
    takenAt: b.takenAt.toISOString(),
    size: Number(b.size),
    format: b.format,
    kind: b.kind,
    locationName: b.location.name,
    locationKind: b.location.kind,
    verificationState: b.verificationState,
    // Only a manifest this console signed counts (its row counts and checksum are compared).
    hasManifest: trustedManifest(readCheckedManifest(b.manifest)) !== null,
    sizeAnomaly: b.sizeAnomaly,
  }));
  const { candidates, suggested } = scenario.suggestBackup(found);
  return { candidates, suggestedId: suggested?.id ?? null };
}

export async function wizardDatabases() {
  await requireRole("operator");
  const rows = await db.database.findMany({ orderBy: [{ environment: "asc" }, { name: "asc" }] });
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    environment: d.environment,
    host: d.host,
    port: d.port,
    dbName: d.dbName,
  }));
}

export async function wizardDatabase(id: string) {
  const all = await wizardDatabases();
  const d = all.find((x) => x.id === id);
  if (!d) throw new NotFoundError("The database");
  return d;
}
