import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { readStoredManifest } from "@/lib/backups/manifest";
import { storedBackupLabel, type BackupLabel } from "@/lib/backups/labels";

// Where else a backup is kept: the same bytes (same size and manifest sha256) catalogued in
// other locations, as Lifeboat's copies (3-2-1) leave them. The backup's page lists them.

export type BackupCopy = { id: string; location: string; key: string; verificationState: string; vanished: boolean };

export async function labelAndCopiesOf(backupId: string): Promise<{ label: BackupLabel | null; copies: BackupCopy[] }> {
  await requireRole("viewer");
  const b = await db.backup.findUnique({
    where: { id: backupId },
    select: { id: true, label: true, size: true, manifest: true, databaseId: true, locationId: true },
  });
  if (!b) return { label: null, copies: [] };
  const label = storedBackupLabel(b.label);
  const sha256 = readStoredManifest(b.manifest)?.sha256;
  if (!sha256) return { label, copies: [] };
  const candidates = await db.backup.findMany({
    where: { id: { not: b.id }, size: b.size, databaseId: b.databaseId, manifest: { contains: sha256 } },
    select: {
      id: true,
      key: true,
      manifest: true,
      verificationState: true,
      vanishedAt: true,
      location: { select: { name: true } },
    },
    orderBy: { location: { name: "asc" } },
    take: 20,
  });
  return {
    label,
    copies: candidates
      .filter((c) => readStoredManifest(c.manifest)?.sha256 === sha256)
      .map((c) => ({
        id: c.id,
        location: c.location.name,
        key: c.key,
        verificationState: c.verificationState,
        vanished: c.vanishedAt !== null,
      })),
  };
}
