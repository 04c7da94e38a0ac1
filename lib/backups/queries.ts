import "server-only";
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import { policyOf } from "@/lib/databases/queries";
import { DEFAULT_POLICY, keptUntil, retentionClass, retentionWhere, type GfsPolicy } from "@/lib/backups/retention";
import type { BackupFilter } from "@/lib/backups/schemas";
import { readCheckedManifest } from "@/lib/backups/manifest-trust";
import { verificationDto } from "@/lib/backups/verify-job";

type PolicyRow = { id: string; gfsDailyDays: number; gfsWeeklyDays: number; gfsMonthlyDays: number };

async function policies(): Promise<Map<string, GfsPolicy>> {
  const rows: PolicyRow[] = await db.database.findMany({
    select: { id: true, gfsDailyDays: true, gfsWeeklyDays: true, gfsMonthlyDays: true },
  });
  return new Map(rows.map((r) => [r.id, policyOf(r)]));
}

export function buildWhere(f: BackupFilter, policyMap: Map<string, GfsPolicy>, now: Date): Prisma.BackupWhereInput {
  const and: Prisma.BackupWhereInput[] = [];
  if (f.location) and.push({ locationId: f.location });
  // Objects that match no database's key patterns have no retention: they are listed apart. A
  // chosen database (or "none", the unassigned ones) already says which side is listed.
  if (f.database) and.push({ databaseId: f.database === "none" ? null : f.database });
  else if (f.assignment === "unassigned") and.push({ databaseId: null });
  else if (f.assignment === "assigned") and.push({ databaseId: { not: null } });
  if (f.format) and.push({ format: f.format });
  if (f.state) and.push({ verificationState: f.state });
  if (f.from) and.push({ takenAt: { gte: new Date(`${f.from}T00:00:00Z`) } });
  if (f.to) and.push({ takenAt: { lt: new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000) } });
  if (f.q) and.push({ key: { contains: f.q } });
  if (f.vanished === "hide") and.push({ vanishedAt: null });
  if (f.vanished === "only") and.push({ vanishedAt: { not: null } });
  if (f.class) {
    const cls = f.class;
    and.push({
      // Only a database's backups have a retention class; unassigned objects match none.
      OR: [...policyMap.entries()].map(
        ([id, p]) => ({ databaseId: id, ...retentionWhere(cls, p, now) }) as Prisma.BackupWhereInput,
      ),
    });
  }
  return and.length ? { AND: and } : {};
}

type BackupRow = Prisma.BackupGetPayload<{
  include: {
    location: { select: { name: true; kind: true } };
    database: { select: { name: true; environment: true } };
  };
}>;

function toDto(b: BackupRow, policy: GfsPolicy, now: Date) {
  const facts = { takenAt: b.takenAt, weekday: b.weekday, dayOfMonth: b.dayOfMonth, critical: b.critical };
  // An object that matches no database is not known to be a backup of anything: no retention class.
  const assigned = b.databaseId !== null;
  return {
    id: b.id,
    key: b.key,
    size: Number(b.size),
    takenAt: b.takenAt.toISOString(),
    takenAtSource: b.takenAtSource,
    lastModified: b.lastModified.toISOString(),
    format: b.format,
    kind: b.kind,
    /** Why Lifeboat took it (daily, pre-migration, critical, manual); null for objects it did not make. */
    label: b.label,
    location: { id: b.locationId, name: b.location.name, kind: b.location.kind },
    database: b.database ? { id: b.databaseId!, name: b.database.name, environment: b.database.environment } : null,
    assignment: assigned ? ("assigned" as const) : ("unassigned" as const),
    retentionClass: assigned ? retentionClass(facts, policy, now) : null,
    keptUntil: assigned ? (keptUntil(facts, policy, now)?.toISOString() ?? null) : null,
    verificationState: b.verificationState,
    lastVerifiedAt: b.lastVerifiedAt?.toISOString() ?? null,
    verificationSummary: b.verificationSummary,
    sizeAnomaly: b.sizeAnomaly,
    hasManifest: b.manifest !== null,
    manifestError: b.manifestError,
    vanishedAt: b.vanishedAt?.toISOString() ?? null,
    firstSeenAt: b.firstSeenAt.toISOString(),
  };
}
export type BackupDto = ReturnType<typeof toDto>;

const include = {
  location: { select: { name: true, kind: true } },
  database: { select: { name: true, environment: true } },
} as const;

export async function listBackups(f: BackupFilter, now = new Date()) {
  await requireRole("viewer");
  return queryBackups(f, now);
}

/** The catalog query itself, for callers that have already authorized (and the benchmark). */
export async function queryBackups(f: BackupFilter, now = new Date()) {
  const policyMap = await policies();
  const where = buildWhere(f, policyMap, now);
  const orderBy: Prisma.BackupOrderByWithRelationInput[] = [{ [f.sort]: f.dir }, { id: f.dir }];
  const [rows, totals, unassigned] = await Promise.all([
    db.backup.findMany({ where, orderBy, skip: (f.page - 1) * f.size, take: f.size, include }),
    db.backup.aggregate({ where, _count: { _all: true }, _sum: { size: true } }),
    db.backup.count({
      where: { databaseId: null, vanishedAt: null, ...(f.location ? { locationId: f.location } : {}) },
    }),
  ]);
  return {
    rows: rows.map((b) => toDto(b, (b.databaseId && policyMap.get(b.databaseId)) || DEFAULT_POLICY, now)),
    total: totals._count._all,
    /** Present objects that match no database, whatever the other filters: the page lists them apart. */
    unassigned,
    totalBytes: Number(totals._sum.size ?? 0),
    page: f.page,
    pageSize: f.size,
  };
}
export type BackupList = Awaited<ReturnType<typeof listBackups>>;

export async function getBackup(id: string, now = new Date()) {
  await requireRole("viewer");
  const b = await db.backup.findUnique({
    where: { id },
    include: { ...include, verifications: { orderBy: { startedAt: "desc" }, take: 20 } },
  });
  if (!b) throw new NotFoundError("The backup");
  const policyMap = await policies();
  const checked = readCheckedManifest(b.manifest);
  return {
    ...toDto(b, (b.databaseId && policyMap.get(b.databaseId)) || DEFAULT_POLICY, now),
    manifest: checked?.manifest ?? null,
    /** Whether this console signed the manifest; an unsigned one is shown, never trusted. */
    manifestTrust: checked ? { trusted: checked.trust.trusted, note: checked.trust.note } : null,
    verifications: b.verifications.map(verificationDto),
  };
}
export type BackupDetail = Awaited<ReturnType<typeof getBackup>>;

/** Filter choices for the Backups page. */
export async function filterOptions() {
  await requireRole("viewer");
  const [locations, databases] = await Promise.all([
    db.location.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db.database.findMany({ select: { id: true, name: true, environment: true }, orderBy: { name: "asc" } }),
  ]);
  return { locations, databases };
}
