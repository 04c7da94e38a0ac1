import { z } from "zod";
import { parseStoredJsonOrNull } from "@/lib/stored-json";

// The sidecar `<key>.manifest.json` Lifeboat writes next to each backup it makes.
// Read when present; a backup without one is still catalogued.

export const MANIFEST_SUFFIX = ".manifest.json";

export const BACKUP_FORMATS = ["custom", "plain", "plain_gzip", "tar", "unknown"] as const;
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

export const manifestSchema = z.object({
  lifeboat: z.literal(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  format: z.enum(BACKUP_FORMATS),
  /** Name of the source database. */
  database: z.string().min(1),
  /** PostgreSQL server version of the source, e.g. "15.18". */
  serverVersion: z.string(),
  /** pg_dump's version, e.g. "15.18". */
  pgDumpVersion: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  /** The application's migration head (alembic_version by default), or null. */
  migrationHead: z.string().nullable(),
  /** Marked critical at creation (pre-release, critical pre-migration): kept forever. */
  critical: z.boolean().default(false),
  tables: z.array(z.object({ schema: z.string(), name: z.string(), rows: z.number().int().nonnegative() })),
  /**
   * Roles the database's objects belong to or are granted to: a restore needs each on the target
   * server, and the preflight says which are missing before anything runs. Absent in older manifests.
   */
  roles: z.array(z.string()).optional(),
  /**
   * HMAC-SHA256 over every other field (lib/backups/manifest-signature.ts) with a key only the
   * console holds. Without a valid one the manifest is informational only.
   */
  signature: z
    .object({
      alg: z.literal("HMAC-SHA256"),
      keyId: z.string().min(1).max(64),
      value: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
});
export type Manifest = z.output<typeof manifestSchema>;

export function manifestKey(backupKey: string): string {
  return backupKey + MANIFEST_SUFFIX;
}

/**
 * Backup.manifest as the catalog stored it (the sidecar, already checked by manifestSchema at
 * sync). Null when the backup has none; a stored one that no longer fits is refused rather than
 * read as "no manifest", which would skip the checksum and row-count checks.
 */
export function readStoredManifest(text: string | null): Manifest | null {
  return parseStoredJsonOrNull(text, manifestSchema, "backup manifest (Backup.manifest)");
}
