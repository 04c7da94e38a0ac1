import { z } from "zod";
import { backupLabelSchema, type BackupLabel } from "@/lib/backups/labels";

// A backup run is a Run of the runner whose scenarioId is "backup" (restores use the scenario
// registry's ids). Plain TypeScript: the run page and the alert sweep tell the two apart with it.

export const BACKUP_RUN_SCENARIO = "backup";
export const BACKUP_RUN_VERSION = 1;

export const isBackupRun = (scenarioId: string): boolean => scenarioId === BACKUP_RUN_SCENARIO;

export const BACKUP_RUN_FORMATS = ["custom", "plain_gzip"] as const;
export const backupRunFormatSchema = z.enum(BACKUP_RUN_FORMATS);
export type BackupRunFormat = z.output<typeof backupRunFormatSchema>;
export const BACKUP_RUN_FORMAT_LABELS: Record<BackupRunFormat, string> = {
  custom: "custom format",
  plain_gzip: "plain SQL + gzip",
};

export const BACKUP_TRIGGERS = ["manual", "schedule", "api"] as const;

/** What a backup run keeps in Run.options: enough to rebuild the same plan on a resume. */
export const backupRunOptionsSchema = z.object({
  label: backupLabelSchema,
  format: backupRunFormatSchema,
  locationId: z.string().min(1),
  copyLocationIds: z.array(z.string().min(1)).default([]),
  key: z.string().min(1),
  trigger: z.enum(BACKUP_TRIGGERS),
  /** Who or what asked: an e-mail, "schedule", or the API token's name. */
  requestedBy: z.string(),
  scheduleId: z.string().optional(),
  /** A scheduled run: the due time it is for, and how late it started (ms; 0 when on time). */
  dueAt: z.string().optional(),
  lateByMs: z.number().int().min(0).optional(),
});
export type BackupRunOptions = z.output<typeof backupRunOptionsSchema>;

function stamp(d: Date): string {
  const iso = d.toISOString(); // 2026-12-02T02:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** The database's name as a key segment: lower case letters, digits and dashes. */
export function keySlug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "database"
  );
}

/** The folder (relative to the location's prefix) where Lifeboat writes a database's backups. */
export function backupFolder(databaseName: string): string {
  return `lifeboat/${keySlug(databaseName)}/`;
}

/**
 * The key of a new backup: `<prefix>lifeboat/<db>/<db>_backup_YYYYMMDD_HHMMSS.dump` (the catalog's
 * naming, so it is read as a backup of <db> taken then), `pre_migration` instead of `backup` for a
 * pre-migration backup, `.sql.gz` for plain SQL.
 */
export function backupKeyFor(input: {
  prefix: string;
  databaseName: string;
  label: BackupLabel;
  format: BackupRunFormat;
  at: Date;
}): string {
  const prefix = input.prefix && !input.prefix.endsWith("/") ? `${input.prefix}/` : input.prefix;
  const slug = keySlug(input.databaseName);
  const kind = input.label === "pre-migration" ? "pre_migration" : "backup";
  const ext = input.format === "custom" ? "dump" : "sql.gz";
  return `${prefix}${backupFolder(input.databaseName)}${slug}_${kind}_${stamp(input.at)}.${ext}`;
}
