import { z } from "zod";

// `pgbackrest info --output=json`, read as hostile input: a bucket can hold anything, so every
// field is checked before it reaches a page or pgBackRest's command line again (a label is later
// passed as --set). `system-id` exceeds 2^53 and JSON.parse rounds it: it is never read.

export const WAL_SEGMENT_RE = /^[0-9A-F]{24}$/;
export const LSN_RE = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/;
// 20261201-224133F, 20261201-224133F_20261202-010000D (or I).
export const BACKUP_LABEL_RE = /^\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?$/;

const MAX_BACKUPS = 10_000;

const epochSeconds = z
  .number()
  .int()
  .min(0)
  .max(32_503_680_000) // year 3000
  .transform((s) => new Date(s * 1000));
const bytes = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const segment = z.string().regex(WAL_SEGMENT_RE, "not a WAL segment name");
const lsn = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(LSN_RE, "not an LSN"));

const backupSchema = z.object({
  label: z.string().regex(BACKUP_LABEL_RE, "not a pgBackRest backup label"),
  type: z.enum(["full", "diff", "incr"]),
  timestamp: z.object({ start: epochSeconds, stop: epochSeconds }),
  lsn: z.object({ start: lsn, stop: lsn }),
  archive: z.object({ start: segment, stop: segment }),
  info: z.object({ size: bytes, repository: z.object({ size: bytes }).loose() }).loose(),
  database: z.object({ id: z.number().int().min(0) }).loose(),
  error: z.boolean().optional(),
  prior: z.string().regex(BACKUP_LABEL_RE).nullable().optional(),
});

const archiveSchema = z
  .object({
    id: z.string().regex(/^\d{1,3}-\d{1,6}$/, "not an archive id"),
    database: z.object({ id: z.number().int().min(0) }).loose(),
    min: segment.nullable(),
    max: segment.nullable(),
  })
  .loose();

const statusSchema = z.object({ code: z.number().int(), message: z.string().max(2000) }).loose();

const stanzaSchema = z
  .object({
    name: z.string().max(200),
    status: statusSchema,
    archive: z.array(archiveSchema).max(1000),
    backup: z.array(z.unknown()).max(MAX_BACKUPS),
    db: z
      .array(z.object({ id: z.number().int().min(0), version: z.string().regex(/^\d{1,3}(\.\d{1,3})?$/) }).loose())
      .max(1000),
  })
  .loose();

export type BaseBackup = {
  label: string;
  type: "full" | "diff" | "incr";
  startedAt: Date;
  stoppedAt: Date;
  startLsn: string;
  stopLsn: string;
  walStart: string;
  walStop: string;
  sizeBytes: number;
  repoSizeBytes: number;
  /** pgBackRest found page checksum errors while copying it. */
  error: boolean;
};

export type PgbackrestInfo = {
  stanza: string;
  status: { code: number; message: string };
  backups: BaseBackup[];
  walMin: string | null;
  walMax: string | null;
  /** The repository's archive id of the current database ("15-1"): the archive folder's name. */
  archiveId: string | null;
  /** The PostgreSQL major version the stanza was created for ("15"). */
  pgVersion: string | null;
  /** Entries that did not pass the checks (counted, never shown). */
  rejectedBackups: number;
};

export class PgbackrestInfoError extends Error {
  constructor(detail: string) {
    super(
      `pgBackRest's info output is not what Lifeboat expects (${detail}): check that the repository holds a pgBackRest stanza and that pgBackRest is version 2.x.`,
    );
    this.name = "PgbackrestInfoError";
  }
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "value"}: ${i.message}`)
    .join("; ")
    .slice(0, 300);
}

/**
 * The stanza's base backups and WAL range from `pgbackrest info --output=json`. A backup entry
 * that fails a check is left out (and counted): one bad entry does not hide the others, and it
 * never reaches the timeline or a restore's --set. With several stanzas, pass the one wanted.
 */
export function parsePgbackrestInfo(json: unknown, stanza?: string): PgbackrestInfo {
  if (!Array.isArray(json)) throw new PgbackrestInfoError("not a list of stanzas");
  const candidates = stanza === undefined ? json.slice(0, 1) : json.filter((s) => isRecord(s) && s.name === stanza);
  if (candidates.length === 0) {
    throw new PgbackrestInfoError(stanza ? `no stanza named "${stanza.slice(0, 64)}"` : "no stanza");
  }
  const parsed = stanzaSchema.safeParse(candidates[0]);
  if (!parsed.success) throw new PgbackrestInfoError(describe(parsed.error));
  const s = parsed.data;

  // The current database is the newest db entry; older ones predate an upgrade (stanza-upgrade).
  const currentDb = s.db.reduce<(typeof s.db)[number] | null>((a, d) => (!a || d.id > a.id ? d : a), null);
  const archive =
    (currentDb ? s.archive.find((a) => a.database.id === currentDb.id) : undefined) ?? s.archive.at(-1) ?? null;

  let rejected = 0;
  const backups: BaseBackup[] = [];
  for (const raw of s.backup) {
    const b = backupSchema.safeParse(raw);
    if (!b.success || b.data.timestamp.stop < b.data.timestamp.start) {
      rejected++;
      continue;
    }
    const d = b.data;
    backups.push({
      label: d.label,
      type: d.type,
      startedAt: d.timestamp.start,
      stoppedAt: d.timestamp.stop,
      startLsn: d.lsn.start,
      stopLsn: d.lsn.stop,
      walStart: d.archive.start,
      walStop: d.archive.stop,
      sizeBytes: d.info.size,
      repoSizeBytes: d.info.repository.size,
      error: d.error === true,
    });
  }
  backups.sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime() || a.label.localeCompare(b.label));

  return {
    stanza: s.name,
    status: { code: s.status.code, message: s.status.message },
    backups,
    walMin: archive?.min ?? null,
    walMax: archive?.max ?? null,
    archiveId: archive?.id ?? null,
    pgVersion: currentDb?.version ?? null,
    rejectedBackups: rejected,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An LSN ("16/B374D848") as a number that compares exactly. */
export function lsnValue(v: string): bigint {
  const m = LSN_RE.exec(v.toUpperCase());
  if (!m) throw new Error(`not an LSN: ${v.slice(0, 40)}`);
  const [hi, lo] = v.split("/");
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}
