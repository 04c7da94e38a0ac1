import "server-only";
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Database, WalArchive } from "@prisma/client";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { pgbackrestConfigProblem } from "@/lib/pitr/config-file";
import { DEMO_ARCHIVE_REFUSAL, isDemoArchive } from "@/lib/pitr/demo-archive";
import { UserError } from "@/lib/errors";
import { connectionOf } from "@/lib/databases/mutations";
import { runPsqlQuery } from "@/lib/postgres/run";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";
import { parseStoredJsonOrNull } from "@/lib/stored-json";
import { lsnValue, WAL_SEGMENT_RE } from "@/lib/pitr/info";
import { PgbackrestError, runPgbackrest } from "@/lib/pitr/pgbackrest";
import { readRecoverableWindow, segmentPosition, type RecoverableWindow } from "@/lib/pitr/window";

// Archive health: what pgBackRest's repository holds (base backups, the WAL range, the newest
// recoverable moment) together with what the database says about its own archiving
// (pg_stat_archiver). Stored on WalArchive.lastHealth so pages draw it without running
// pgBackRest, refreshed on the background interval and on demand; failures and WAL RPO
// breaches raise alerts.

const iso = z.iso.datetime();

export const archiveHealthSchema = z.object({
  checkedAt: iso,
  walRpoMinutes: z.number().int(),
  /** The repository could not be read: what happened and what to do. */
  repoError: z.string().nullable(),
  /** The database could not be asked (pg_stat_archiver): what happened. */
  archiverError: z.string().nullable(),
  backups: z.array(
    z.object({
      label: z.string(),
      type: z.enum(["full", "diff", "incr"]),
      startedAt: iso,
      stoppedAt: iso,
      sizeBytes: z.number(),
      repoSizeBytes: z.number(),
      walStart: z.string(),
      stopLsn: z.string(),
      error: z.boolean(),
    }),
  ),
  rejectedBackups: z.number().int(),
  walMin: z.string().nullable(),
  walMax: z.string().nullable(),
  newestSegment: z.object({ name: z.string(), archivedAt: iso.nullable() }).nullable(),
  from: iso.nullable(),
  newestRecoverable: iso.nullable(),
  newestRecoverableLsn: z.string().nullable(),
  gaps: z.array(
    z.object({ afterSegment: z.string(), beforeSegment: z.string(), from: iso.nullable(), to: iso.nullable() }),
  ),
  archiver: z
    .object({
      archivedCount: z.number().int(),
      lastArchivedWal: z.string().nullable(),
      lastArchivedAt: iso.nullable(),
      failedCount: z.number().int(),
      lastFailedWal: z.string().nullable(),
      lastFailedAt: iso.nullable(),
      archiveMode: z.string(),
      inRecovery: z.boolean(),
      currentLsn: z.string().nullable(),
    })
    .nullable(),
  /** Archiving fails now: the last failure is newer than the last success. */
  failing: z.boolean(),
  /** The last archive-push error pgBackRest logged (or `pgbackrest check` said), when readable. */
  lastError: z.object({ at: iso.nullable(), message: z.string(), source: z.string() }).nullable(),
  rpo: z.object({
    /** Age of the newest archived WAL in seconds (null: nothing archived, or unknown). */
    ageSeconds: z.number().nullable(),
    /** WAL bytes written since the end of the newest archived segment (null: unknown). */
    pendingBytes: z.number().nullable(),
    breached: z.boolean(),
  }),
  /** The last `pgbackrest check` run on demand. */
  lastCheck: z.object({ at: iso, ok: z.boolean(), output: z.string() }).nullable(),
});
export type ArchiveHealth = z.infer<typeof archiveHealthSchema>;

export function storedHealth(archive: Pick<WalArchive, "lastHealth">): ArchiveHealth | null {
  return parseStoredJsonOrNull(archive.lastHealth, archiveHealthSchema, "WAL archive health (WalArchive.lastHealth)");
}

/** Green, or why not: the words the dashboard and page show. */
export type HealthVerdict = { state: "ok" | "failing" | "rpo_breached" | "unreadable" | "unknown"; words: string };

export function healthVerdict(h: ArchiveHealth | null): HealthVerdict {
  if (!h) return { state: "unknown", words: "Not checked yet" };
  if (h.repoError) return { state: "unreadable", words: "Repository unreadable" };
  if (h.failing) return { state: "failing", words: "Archiving fails" };
  if (h.rpo.breached) return { state: "rpo_breached", words: `WAL RPO of ${h.walRpoMinutes} min breached` };
  return { state: "ok", words: "Archiving" };
}

// --- pg_stat_archiver ------------------------------------------------------------------------

const TS = (col: string) => `coalesce(to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`;

const ARCHIVER_SQL = `SELECT archived_count, coalesce(last_archived_wal, ''), ${TS("last_archived_time")},
  failed_count, coalesce(last_failed_wal, ''), ${TS("last_failed_time")},
  current_setting('archive_mode'), pg_is_in_recovery()::text,
  CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_lsn()::text END,
  (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'),
  coalesce((SELECT setting FROM pg_settings WHERE name = 'data_directory'), '')
FROM pg_stat_archiver`;

type Archiver = NonNullable<ArchiveHealth["archiver"]> & { walSegmentBytes: number; dataDirectory: string | null };

async function readArchiver(databaseId: string): Promise<Archiver> {
  const conn = await connectionOf(databaseId);
  const rows = await runPsqlQuery(conn, ARCHIVER_SQL, { timeoutMs: 30_000 });
  const r = rows[0];
  if (!r || r.length < 11) throw new UserError("pg_stat_archiver returned nothing: is this PostgreSQL 9.4 or later?");
  const [archived, lastWal, lastAt, failed, failedWal, failedAt, mode, inRecovery, lsn, segBytes, dataDir] = r;
  return {
    archivedCount: Number(archived) || 0,
    lastArchivedWal: lastWal || null,
    lastArchivedAt: lastAt || null,
    failedCount: Number(failed) || 0,
    lastFailedWal: failedWal || null,
    lastFailedAt: failedAt || null,
    archiveMode: mode ?? "",
    inRecovery: inRecovery === "true",
    currentLsn: lsn || null,
    walSegmentBytes: Number(segBytes) || 16 * 1024 * 1024,
    dataDirectory: dataDir || null,
  };
}

// --- pgBackRest's log ------------------------------------------------------------------------

/** log-path from a pgBackRest config file (the stanza's section wins over [global]). */
export function logPathFromConfig(text: string, stanza: string): string | null {
  let section = "";
  let global: string | null = null;
  let own: string | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = sec[1] ?? "";
      continue;
    }
    const kv = /^log-path\s*=\s*(.+)$/.exec(line);
    if (!kv) continue;
    if (section === "global") global = kv[1]?.trim() ?? null;
    if (section === stanza) own = kv[1]?.trim() ?? null;
  }
  return own ?? global;
}

const LOG_TAIL_BYTES = 64 * 1024;
// "2026-12-01 22:41:33.123 P00  ERROR: [047]: unable to …"
const LOG_ERROR_RE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) P\d+\s+ERROR: (.+)$/;

/** The last ERROR in a pgBackRest log's tail, with the lines that continue it. */
export function lastLogError(text: string): { at: Date | null; message: string } | null {
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = LOG_ERROR_RE.exec(lines[i] ?? "");
    if (!m) continue;
    const more: string[] = [];
    for (let j = i + 1; j < lines.length && more.length < 4; j++) {
      const l = lines[j] ?? "";
      if (!/^\s{2,}\S/.test(l)) break;
      more.push(l.trim());
    }
    // pgBackRest writes local time without a zone; the recovery host's clock is the console's.
    const at = m[1] ? new Date(m[1].replace(" ", "T")) : null;
    return {
      at: at && Number.isFinite(at.getTime()) ? at : null,
      message: [m[2] ?? "", ...more].join(" ").slice(0, 600),
    };
  }
  return null;
}

/** The last archive-push error in pgBackRest's log on this host, when its config names a readable log. */
async function readPushError(archive: Pick<WalArchive, "configPath" | "stanza">) {
  const conf = archive.configPath ?? "/etc/pgbackrest/pgbackrest.conf";
  // A typed path is read only when it passes the same rule as when pgBackRest is given it.
  const refused =
    archive.configPath !== null &&
    pgbackrestConfigProblem(archive.configPath, env().LIFEBOAT_PGBACKREST_CONFIG_DIRS) !== null;
  const text = refused ? null : await readFile(conf, "utf8").catch(() => null);
  const logDir = (text ? logPathFromConfig(text, archive.stanza) : null) ?? "/var/log/pgbackrest";
  let newest: { at: Date | null; message: string; source: string } | null = null;
  for (const name of [`${archive.stanza}-archive-push.log`, `${archive.stanza}-archive-push-async.log`]) {
    const file = path.join(logDir, name);
    const s = await stat(file).catch(() => null);
    if (!s?.isFile()) continue;
    const fh = await open(file, "r");
    try {
      const len = Math.min(LOG_TAIL_BYTES, s.size);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, s.size - len);
      const e = lastLogError(buf.toString("utf8"));
      if (e && (!newest || (e.at?.getTime() ?? 0) > (newest.at?.getTime() ?? 0))) newest = { ...e, source: file };
    } finally {
      await fh.close();
    }
  }
  return newest;
}

/**
 * pgBackRest writes archive-push's errors to PostgreSQL's log, and to its own log file only when
 * log-level-file is given on archive_command's line. When archiving fails and no log says why,
 * and the database's files are on this host, the failed segment is pushed once more by Lifeboat
 * exactly as archive_command would (PostgreSQL retries it anyway; a segment already archived
 * with the same content is accepted): its error is the reason.
 */
async function retryFailedPush(archive: WalArchive, a: Archiver) {
  if (!a.dataDirectory || !a.lastFailedWal || !WAL_SEGMENT_RE.test(a.lastFailedWal)) return null;
  const walFile = path.join(a.dataDirectory, "pg_wal", a.lastFailedWal);
  const readable = await stat(walFile).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!readable) return null;
  try {
    await runPgbackrest(archive, "archive-push", [walFile], { timeoutMs: 60_000 });
    return null;
  } catch (e) {
    if (!(e instanceof PgbackrestError)) return null;
    return {
      at: new Date(),
      message: (e.detail || e.message).replace(/\s+/g, " ").slice(0, 600),
      source: `pgbackrest archive-push of ${a.lastFailedWal}, retried by Lifeboat`,
    };
  }
}

// --- The health ------------------------------------------------------------------------------

/** The LSN where a segment ends (the next one starts). */
export function segmentEndLsn(segment: string, segmentBytes: number): bigint {
  const { position } = segmentPosition(segment, segmentBytes);
  return (position + 1n) * BigInt(segmentBytes);
}

const toIso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export type HealthArchive = WalArchive;

/** Reads the repository and the database, and says how the archive is. Never throws for either being unreachable. */
export async function computeArchiveHealth(
  archive: HealthArchive,
  database: Pick<Database, "id" | "name">,
  opts: { now?: Date; previous?: ArchiveHealth | null } = {},
): Promise<{ health: ArchiveHealth; window: RecoverableWindow | null }> {
  const now = opts.now ?? new Date();
  const [windowResult, archiverResult, pushError] = await Promise.all([
    readRecoverableWindow(archive, database).then(
      (w) => ({ ok: true as const, w }),
      (e: unknown) => ({ ok: false as const, e }),
    ),
    readArchiver(database.id).then(
      (a) => ({ ok: true as const, a }),
      (e: unknown) => ({ ok: false as const, e }),
    ),
    readPushError(archive).catch(() => null),
  ]);
  const message = (e: unknown) =>
    e instanceof UserError ? e.message : "It failed for a reason written to the server log.";
  if (!windowResult.ok && !(windowResult.e instanceof UserError)) {
    console.error("[lifeboat] reading the WAL archive failed:", windowResult.e);
  }
  if (!archiverResult.ok && !(archiverResult.e instanceof UserError)) {
    console.error("[lifeboat] reading pg_stat_archiver failed:", archiverResult.e);
  }
  const w = windowResult.ok ? windowResult.w : null;
  const a = archiverResult.ok ? archiverResult.a : null;

  const failing = Boolean(
    a &&
    a.failedCount > 0 &&
    a.lastFailedAt &&
    (!a.lastArchivedAt || new Date(a.lastFailedAt).getTime() >= new Date(a.lastArchivedAt).getTime()),
  );

  // The newest archived WAL: the database's own word, else the repository's file time.
  const archivedAtCandidates = [
    a?.lastArchivedAt ? new Date(a.lastArchivedAt) : null,
    w?.newestSegment?.archivedAt ?? null,
  ]
    .filter((d): d is Date => d !== null)
    .map((d) => d.getTime());
  const newestArchivedMs = archivedAtCandidates.length ? Math.max(...archivedAtCandidates) : null;
  const ageSeconds =
    newestArchivedMs === null ? null : Math.max(0, Math.round((now.getTime() - newestArchivedMs) / 1000));
  const lastSegment =
    a?.lastArchivedWal && WAL_SEGMENT_RE.test(a.lastArchivedWal) ? a.lastArchivedWal : (w?.newestSegment?.name ?? null);
  let pendingBytes: number | null = null;
  if (a?.currentLsn && lastSegment) {
    const diff = lsnValue(a.currentLsn) - segmentEndLsn(lastSegment, a.walSegmentBytes);
    pendingBytes = Number(diff < 0n ? 0n : diff);
  }
  // An idle database writes nothing: an old newest segment is then no loss at all.
  const breached =
    (ageSeconds === null || ageSeconds > archive.walRpoMinutes * 60) && pendingBytes !== 0 && !(a?.inRecovery ?? false);

  const retried = failing && a ? await retryFailedPush(archive, a) : null;
  const lastError = retried
    ? { at: toIso(retried.at), message: retried.message, source: retried.source }
    : pushError && (failing || !a)
      ? { at: toIso(pushError.at), message: pushError.message, source: `pgBackRest log ${pushError.source}` }
      : failing && opts.previous?.lastCheck && !opts.previous.lastCheck.ok
        ? { at: opts.previous.lastCheck.at, message: opts.previous.lastCheck.output, source: "pgbackrest check" }
        : null;

  const health: ArchiveHealth = {
    checkedAt: now.toISOString(),
    walRpoMinutes: archive.walRpoMinutes,
    repoError: windowResult.ok ? null : message(windowResult.e),
    archiverError: archiverResult.ok ? null : message(archiverResult.e),
    backups: (w?.baseBackups ?? []).map((b) => ({
      label: b.label,
      type: b.type,
      startedAt: b.startedAt.toISOString(),
      stoppedAt: b.stoppedAt.toISOString(),
      sizeBytes: b.sizeBytes,
      repoSizeBytes: b.repoSizeBytes,
      walStart: b.walStart,
      stopLsn: b.stopLsn,
      error: b.error,
    })),
    rejectedBackups: w?.info.rejectedBackups ?? 0,
    walMin: w?.walMin ?? null,
    walMax: w?.walMax ?? null,
    newestSegment: w?.newestSegment
      ? { name: w.newestSegment.name, archivedAt: toIso(w.newestSegment.archivedAt) }
      : null,
    from: toIso(w?.from),
    newestRecoverable: toIso(w?.newestRecoverable),
    newestRecoverableLsn: w?.newestRecoverableLsn ?? null,
    gaps: (w?.gaps ?? []).map((g) => ({ ...g, from: toIso(g.from), to: toIso(g.to) })),
    archiver: a
      ? {
          archivedCount: a.archivedCount,
          lastArchivedWal: a.lastArchivedWal,
          lastArchivedAt: a.lastArchivedAt,
          failedCount: a.failedCount,
          lastFailedWal: a.lastFailedWal,
          lastFailedAt: a.lastFailedAt,
          archiveMode: a.archiveMode,
          inRecovery: a.inRecovery,
          currentLsn: a.currentLsn,
        }
      : null,
    failing,
    lastError,
    rpo: { ageSeconds, pendingBytes, breached },
    lastCheck: opts.previous?.lastCheck ?? null,
  };
  return { health, window: w };
}

/** Raises or resolves the archive's two alerts from a health reading. */
export async function reconcileArchiveAlerts(
  database: Pick<Database, "id" | "name">,
  h: ArchiveHealth,
  now = new Date(),
): Promise<void> {
  const link = `/databases/${database.id}#wal-archive`;
  const failing = { event: "wal_archive_failing" as const, databaseId: database.id };
  if (h.failing) {
    await raiseAlert({
      ...failing,
      now,
      link,
      message: `WAL archiving of ${database.name} fails: ${h.archiver?.failedCount ?? "?"} failed attempts, the last for ${h.archiver?.lastFailedWal ?? "?"} at ${h.archiver?.lastFailedAt ?? "?"}${h.lastError ? ` (${h.lastError.message})` : ""}. Until it works, nothing after ${h.newestRecoverable ?? "the last archived segment"} can be recovered: fix the repository or archive_command, then run pgbackrest check.`,
    });
  } else if (h.archiver) {
    await resolveAlert({
      ...failing,
      now,
      resolution: `WAL archiving of ${database.name} works again: ${h.archiver.lastArchivedWal ?? "a segment"} was archived at ${h.archiver.lastArchivedAt ?? "?"}.`,
    });
  }
  const rpo = { event: "wal_rpo_breached" as const, databaseId: database.id };
  if (h.rpo.breached) {
    await raiseAlert({
      ...rpo,
      now,
      link,
      message:
        h.rpo.ageSeconds === null
          ? `No WAL of ${database.name} has been archived at all (WAL RPO ${h.walRpoMinutes} min): check archive_mode and archive_command on the database.`
          : `The newest archived WAL of ${database.name} is ${Math.round(h.rpo.ageSeconds / 60)} min old, beyond its WAL RPO of ${h.walRpoMinutes} min, while the database has written more: check archiving (pg_stat_archiver, pgBackRest's log), or set archive_timeout below the RPO.`,
    });
  } else if (h.archiver || h.rpo.ageSeconds !== null) {
    await resolveAlert({
      ...rpo,
      now,
      resolution: `The archived WAL of ${database.name} is within its WAL RPO of ${h.walRpoMinutes} min again.`,
    });
  }
}

/** Reads and stores the health of a database's archive, and raises or resolves its alerts. */
export async function refreshArchiveHealth(databaseId: string, now = new Date()): Promise<ArchiveHealth> {
  const archive = await db.walArchive.findUnique({
    where: { databaseId },
    include: { database: { select: { id: true, name: true } } },
  });
  if (!archive) throw new UserError("This database has no WAL archive set up: an admin adds one on its page.", 404);
  // Its sample reading stays: there is no repository to read.
  if (isDemoArchive(archive)) throw new UserError(DEMO_ARCHIVE_REFUSAL, 409);
  const previous = (() => {
    try {
      return storedHealth(archive);
    } catch {
      return null;
    }
  })();
  const { health } = await computeArchiveHealth(archive, archive.database, { now, previous });
  await db.walArchive.update({
    where: { id: archive.id },
    data: { lastHealth: JSON.stringify(health), lastCheckedAt: now },
  });
  await reconcileArchiveAlerts(archive.database, health, now);
  return health;
}

/** Every archive, one after the other (the background interval). */
export async function refreshAllArchiveHealth(): Promise<void> {
  const archives = await db.walArchive.findMany({ select: { databaseId: true, repoOptions: true } });
  for (const a of archives.filter((x) => !isDemoArchive(x))) {
    await refreshArchiveHealth(a.databaseId).catch((e: unknown) =>
      console.error("[lifeboat] the WAL archive health check failed:", e),
    );
  }
}
