import type { BackupFormat } from "@/lib/backups/manifest";
import { MANIFEST_SUFFIX } from "@/lib/backups/manifest";
import type { BackupKind } from "@/lib/backups/states";

// What an object's key says about the backup. Pure; table-tested in parse-key.test.ts.

export type ParsedKey = {
  format: BackupFormat;
  kind: BackupKind;
  /** From a YYYYMMDD_HHMMSS (or YYYYMMDDTHHMMSS / YYYY-MM-DD_HH-MM-SS) stamp in the name, read as UTC. */
  takenAt: Date | null;
  /** The name before "_backup_", e.g. "amani" in amani_backup_20260101_020000.sql.gz. */
  databaseHint: string | null;
};

const FORMATS: [RegExp, BackupFormat][] = [
  [/\.sql\.gz$/i, "plain_gzip"],
  [/\.sql$/i, "plain"],
  [/\.(dump|backup|custom|pgdump)$/i, "custom"],
  [/\.tar$/i, "tar"],
];

/** True for keys that are not backups in their own right (our sidecars, folder markers). */
export function isCatalogued(key: string): boolean {
  return !key.endsWith(MANIFEST_SUFFIX) && !key.endsWith("/") && key.length > 0;
}

export function formatOf(key: string): BackupFormat {
  for (const [re, format] of FORMATS) if (re.test(key)) return format;
  return "unknown";
}

const STAMP = /(\d{4})-?(\d{2})-?(\d{2})[_T-]?(\d{2})[-:]?(\d{2})[-:]?(\d{2})/;

function stampOf(name: string): Date | null {
  const m = STAMP.exec(name);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Reject impossible stamps (20261340_250000) rather than let Date roll them over.
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return null;
  }
  if (y < 1990 || y > 2200) return null;
  return date;
}

export function parseKey(key: string): ParsedKey {
  const name = key.split("/").pop() ?? key;
  const format = formatOf(name);
  const takenAt = stampOf(name);
  const preMigration = /(^|[_-])pre[_-]?migration([_-]|\.|$)/i.test(name);
  const backupMatch = /^(.+?)_backup_\d/i.exec(name);
  return {
    format,
    kind: preMigration ? "pre_migration" : backupMatch ? "scheduled" : "other",
    takenAt,
    databaseHint: backupMatch?.[1] ?? null,
  };
}

// Glob with * (any run of characters except '/'), ** (anything), and ** followed by '/' (no
// folder or any folders, so that a dated-folder pattern also matches a key at the top). One
// pattern per line or comma.
export function patternsMatch(patterns: string, relativeKey: string): boolean {
  const list = patterns
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean);
  return list.some((p) => globToRegExp(p).test(relativeKey));
}

export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*" && glob[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else if (glob[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}
