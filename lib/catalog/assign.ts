import "server-only";
import { db } from "@/lib/db";
import { fullConfig } from "@/lib/locations/config";
import { databaseForKey, previewPatterns, type PatternPreview } from "@/lib/catalog/key-patterns";
import { refreshSizeAnomalies } from "@/lib/catalog/anomalies";
import { NotFoundError } from "@/lib/errors";
import { requireRole } from "@/lib/auth/guard";

const CHUNK = 500;

/**
 * Re-applies every database's key patterns to what the locations have catalogued, so a saved
 * pattern shows its backups at once instead of after the next sync. Returns how many rows
 * changed database.
 */
export async function reassignCatalog(locationIds: string[]): Promise<{ reassigned: number }> {
  let reassigned = 0;
  const affected = new Set<string>();
  for (const locationId of locationIds) {
    const location = await db.location.findUnique({ where: { id: locationId }, include: { sources: true } });
    if (!location) continue;
    const { prefix } = fullConfig(location);
    const sources = location.sources.map((s) => ({ databaseId: s.databaseId, patterns: s.patterns }));
    const rows = await db.backup.findMany({ where: { locationId }, select: { id: true, key: true, databaseId: true } });
    const moves = new Map<string | null, string[]>();
    for (const r of rows) {
      const next = databaseForKey(r.key, prefix, sources);
      if (next === r.databaseId) continue;
      const list = moves.get(next) ?? [];
      list.push(r.id);
      moves.set(next, list);
      if (r.databaseId) affected.add(r.databaseId);
      if (next) affected.add(next);
    }
    for (const [databaseId, ids] of moves) {
      for (let i = 0; i < ids.length; i += CHUNK) {
        const { count } = await db.backup.updateMany({
          where: { id: { in: ids.slice(i, i + CHUNK) } },
          data: { databaseId },
        });
        reassigned += count;
      }
    }
  }
  if (affected.size) await refreshSizeAnomalies([...affected]);
  return { reassigned };
}

/**
 * What `patterns` would match in one location's catalog, and where they overlap other databases'
 * patterns there (`databaseId`: the database being edited, left out of the overlaps). The database
 * form's live preview; admins edit patterns.
 */
export async function previewLocationPatterns(
  locationId: string,
  patterns: string,
  databaseId?: string,
): Promise<PatternPreview & { location: string }> {
  await requireRole("admin");
  const location = await db.location.findUnique({
    where: { id: locationId },
    include: {
      sources: {
        where: databaseId ? { databaseId: { not: databaseId } } : {},
        include: { database: { select: { name: true } } },
      },
    },
  });
  if (!location) throw new NotFoundError("The location");
  const rows = await db.backup.findMany({ where: { locationId, vanishedAt: null }, select: { key: true } });
  const others = location.sources.map((s) => ({ database: s.database.name, patterns: s.patterns }));
  return {
    location: location.name,
    ...previewPatterns(
      rows.map((r) => r.key),
      fullConfig(location).prefix,
      patterns,
      5,
      others,
    ),
  };
}
