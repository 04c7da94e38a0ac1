import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { publicConfigOf, secretsSet, storedLocationKind } from "@/lib/locations/config";
import { storedState } from "@/lib/stored-json";
import { SYNC_STATUSES, SYNC_TRIGGERS } from "@/lib/catalog/sync-states";

function toDto(l: {
  id: string;
  name: string;
  kind: string;
  config: string;
  secrets: string | null;
  createdAt: Date;
  lastProbeAt: Date | null;
  lastProbeLatencyMs: number | null;
  lastProbeError: string | null;
  syncRuns: {
    id: string;
    status: string;
    startedAt: Date;
    finishedAt: Date | null;
    pages: number;
    objectsSeen: number;
    added: number;
    changed: number;
    vanished: number;
    error: string | null;
    trigger: string;
  }[];
  _count: { backups: number };
}) {
  const lastSync = l.syncRuns[0] ?? null;
  return {
    id: l.id,
    name: l.name,
    kind: storedLocationKind(l.kind),
    config: publicConfigOf(l),
    secretsSet: secretsSet(l),
    createdAt: l.createdAt.toISOString(),
    lastProbe: l.lastProbeAt
      ? { at: l.lastProbeAt.toISOString(), latencyMs: l.lastProbeLatencyMs, error: l.lastProbeError }
      : null,
    lastSync: lastSync && {
      ...lastSync,
      status: storedState(SYNC_STATUSES, lastSync.status, "sync status (SyncRun.status)"),
      trigger: storedState(SYNC_TRIGGERS, lastSync.trigger, "sync trigger (SyncRun.trigger)"),
      startedAt: lastSync.startedAt.toISOString(),
      finishedAt: lastSync.finishedAt?.toISOString() ?? null,
    },
    backupCount: l._count.backups,
  };
}
export type LocationDto = ReturnType<typeof toDto>;

const include = {
  syncRuns: { orderBy: { startedAt: "desc" as const }, take: 1 },
  _count: { select: { backups: { where: { vanishedAt: null } } } },
};

export async function listLocations(): Promise<LocationDto[]> {
  await requireRole("viewer");
  const rows = await db.location.findMany({ orderBy: { name: "asc" }, include });
  return rows.map(toDto);
}

export async function getLocation(id: string): Promise<LocationDto | null> {
  await requireRole("viewer");
  const row = await db.location.findUnique({ where: { id }, include });
  return row ? toDto(row) : null;
}
