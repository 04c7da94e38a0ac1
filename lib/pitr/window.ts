import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { execa } from "execa";
import { z } from "zod";
import type { WalArchive } from "@prisma/client";
import { env, minimalChildEnv } from "@/lib/env";
import { pgBinDirProblem } from "@/lib/pitr/bin-dir";
import { UserError } from "@/lib/errors";
import { pgbackrestArgv, runPgbackrest, type ArchiveAccess, PgbackrestError } from "@/lib/pitr/pgbackrest";
import { lsnValue, parsePgbackrestInfo, WAL_SEGMENT_RE, type BaseBackup, type PgbackrestInfo } from "@/lib/pitr/info";

// The recoverable window of a WAL archive: from the end of the oldest base backup to the newest
// moment PostgreSQL can actually reach. That end is exact, not estimated: a time target is reached
// only when recovery replays a COMMIT or ABORT record stamped after it (PostgreSQL otherwise stops
// with "recovery ended before configured recovery target was reached"), so the newest archived
// segments are fetched and the last such record is read with pg_waldump.

export type WindowArchive = ArchiveAccess & Pick<WalArchive, "pgBinDir">;

export type WalGap = { afterSegment: string; beforeSegment: string; from: Date | null; to: Date | null };

export type RecoverableWindow = {
  baseBackups: BaseBackup[];
  /** The end of the oldest base backup: the earliest moment a time target can name. */
  from: Date | null;
  /** The newest time target recovery reaches (just before the last archived commit or abort). */
  newestRecoverable: Date | null;
  /** The LSN of that last archived commit or abort record. */
  newestRecoverableLsn: string | null;
  /** When that last commit happened (newestRecoverable is the millisecond before it). */
  lastCommitAt: Date | null;
  gaps: WalGap[];
  checkedAt: Date;
  walMin: string | null;
  walMax: string | null;
  /** The newest archived segment and when it reached the repository. */
  newestSegment: { name: string; archivedAt: Date | null } | null;
  info: PgbackrestInfo;
};

// --- Archived segments ---------------------------------------------------------------------

export type ArchivedSegment = { name: string; file: string; archivedAt: Date | null };

// "0000000100000000/000000010000000000000002-<sha1>.gz": one archived segment (compressed or not).
const SEGMENT_FILE_RE = /^([0-9A-F]{16})\/([0-9A-F]{24})-[0-9a-f]{40}(\.(?:gz|lz4|zst|bz2))?$/;

const repoLsSchema = z.record(
  z.string().max(500),
  z.object({ type: z.string().max(20), time: z.number().int().min(0).optional() }).loose(),
);

/** The archived segments from `pgbackrest repo-ls archive/<stanza>/<archive id> --recurse --output=json`. */
export function parseArchivedSegments(json: unknown): ArchivedSegment[] {
  const parsed = repoLsSchema.safeParse(json);
  if (!parsed.success) throw new UserError("pgBackRest's listing of the WAL archive is not what Lifeboat expects.");
  const out = new Map<string, ArchivedSegment>();
  for (const [file, entry] of Object.entries(parsed.data)) {
    if (entry.type !== "file") continue;
    const m = SEGMENT_FILE_RE.exec(file);
    const [, folder, name] = m ?? [];
    if (!folder || !name || name.slice(0, 16) !== folder) continue;
    // The same segment pushed twice with the same content has one name; keep the first seen.
    if (!out.has(name)) {
      out.set(name, { name, file, archivedAt: entry.time === undefined ? null : new Date(entry.time * 1000) });
    }
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const DEFAULT_WAL_SEGMENT_BYTES = 16 * 1024 * 1024;

/** A segment's timeline and position (segment number on that timeline). */
export function segmentPosition(name: string, segmentBytes = DEFAULT_WAL_SEGMENT_BYTES) {
  if (!WAL_SEGMENT_RE.test(name)) throw new Error(`not a WAL segment name: ${name}`);
  const perLog = BigInt(0x100000000 / segmentBytes);
  const timeline = parseInt(name.slice(0, 8), 16);
  const position = BigInt(`0x${name.slice(8, 16)}`) * perLog + BigInt(`0x${name.slice(16, 24)}`);
  return { timeline, position };
}

export function segmentName(timeline: number, position: bigint, segmentBytes = DEFAULT_WAL_SEGMENT_BYTES): string {
  const perLog = BigInt(0x100000000 / segmentBytes);
  const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, "0");
  return hex(timeline) + hex(position / perLog) + hex(position % perLog);
}

/** Missing segments inside the archived range, per timeline. */
export function findGaps(segments: ArchivedSegment[], segmentBytes = DEFAULT_WAL_SEGMENT_BYTES): WalGap[] {
  const gaps: WalGap[] = [];
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    const next = segments[i];
    if (!prev || !next) continue;
    const a = segmentPosition(prev.name, segmentBytes);
    const b = segmentPosition(next.name, segmentBytes);
    // A new timeline continues from a point on the old one: not a gap.
    if (a.timeline !== b.timeline) continue;
    if (b.position - a.position > 1n) {
      gaps.push({ afterSegment: prev.name, beforeSegment: next.name, from: prev.archivedAt, to: next.archivedAt });
    }
  }
  return gaps;
}

// --- The last commit in archived WAL -------------------------------------------------------

export type LastCommit = { at: Date; atMicros: bigint; lsn: string; segment: string };

// "rmgr: Transaction len (rec/tot): 34/34, tx: 735, lsn: 0/03000060, prev 0/03000028, desc: COMMIT 2026-12-01 22:41:33.123456 UTC"
const XACT_LINE_RE =
  /^rmgr: Transaction\s.*?\blsn: ([0-9A-F]{1,8}\/[0-9A-F]{1,8}), prev [0-9A-F/]+, desc: (?:COMMIT|ABORT|COMMIT_PREPARED|ABORT_PREPARED) (?:\d+: )?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d{1,6}))? UTC\b/;

/** The last COMMIT/ABORT record in pg_waldump's output (run with TZ=UTC), or null. */
export function lastXactRecord(waldumpOutput: string): { lsn: string; atMicros: bigint } | null {
  let last: { lsn: string; atMicros: bigint } | null = null;
  for (const line of waldumpOutput.split("\n")) {
    const [, lsn, when, fraction = ""] = XACT_LINE_RE.exec(line) ?? [];
    if (!lsn || !when) continue;
    const ms = Date.parse(`${when.replace(" ", "T")}Z`);
    if (!Number.isFinite(ms)) continue;
    last = { lsn, atMicros: BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, "0")) };
  }
  return last;
}

/**
 * The newest instant a time target may name: recovery (recovery_target_inclusive on, the default)
 * stops at the first commit stamped after the target, so the target must be strictly before the
 * last archived commit. In milliseconds: the last whole millisecond before it.
 */
export function newestTargetBefore(commitMicros: bigint): Date {
  const ceilMs = (commitMicros + 999n) / 1000n;
  return new Date(Number(ceilMs - 1n));
}

export function pgBinDirFor(archive: Pick<WalArchive, "pgBinDir">, pgVersion: string | null): string | null {
  if (archive.pgBinDir) {
    // Checked again where it is used: the stored row may predate the rule or be edited by hand.
    const problem = pgBinDirProblem(archive.pgBinDir, env().LIFEBOAT_PG_BIN_DIRS);
    if (problem) throw new UserError(problem, 400);
    return archive.pgBinDir;
  }
  const major = pgVersion?.split(".")[0];
  return major ? `/usr/lib/postgresql/${major}/bin` : null;
}

async function fetchSegment(archive: ArchiveAccess, repoFile: string, dest: string): Promise<void> {
  const { argv, env } = pgbackrestArgv(archive, "repo-get", [repoFile]);
  const [file = "pgbackrest", ...args] = argv;
  const r = await execa(file, args, {
    env: { ...minimalChildEnv(), ...env },
    extendEnv: true,
    stdin: "ignore",
    cwd: "/",
    reject: false,
    encoding: "buffer",
    maxBuffer: 1024 * 1024 * 1024,
    timeout: 5 * 60_000,
  });
  if (r.exitCode !== 0) {
    throw new PgbackrestError(
      "failed",
      `pgbackrest repo-get of WAL segment ${path.basename(repoFile)} failed: ${
        Buffer.from(r.stderr ?? "")
          .toString("utf8")
          .slice(0, 400) ||
        r.shortMessage ||
        "(no message)"
      }`,
    );
  }
  const data = Buffer.from(r.stdout ?? new Uint8Array());
  const ext = path.extname(repoFile);
  if (ext === ".gz") return writeFile(dest, gunzipSync(data), { mode: 0o600 });
  if (ext === "" || /^\.[0-9a-f]{40}$/.test(ext)) return writeFile(dest, data, { mode: 0o600 });
  const tool = { ".lz4": "lz4", ".zst": "zstd", ".bz2": "bzip2" }[ext];
  if (!tool) throw new UserError(`WAL segment ${path.basename(repoFile)} uses a compression Lifeboat cannot read.`);
  const d = await execa(tool, ["-dc"], {
    input: data,
    encoding: "buffer",
    env: minimalChildEnv(),
    extendEnv: true,
    reject: false,
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (d.exitCode !== 0) {
    throw new UserError(
      `${tool} could not decompress WAL segment ${path.basename(repoFile)}: install ${tool} on the recovery host (apt-get install -y ${tool}).`,
    );
  }
  await writeFile(dest, Buffer.from(d.stdout ?? new Uint8Array()), { mode: 0o600 });
}

// Archived segments never change: what was found in one is remembered (bounded).
const commitCache = new Map<string, { lsn: string; atMicros: bigint } | "none">();
const COMMIT_CACHE_MAX = 2000;
// How far back to look for a commit before saying there is none to reach.
const MAX_SEGMENTS_BACK = 16;

/** pg_waldump on one segment: its last commit/abort record, or null. */
async function lastCommitIn(
  waldump: string,
  dir: string,
  segment: string,
): Promise<{ lsn: string; atMicros: bigint } | null> {
  const r = await execa(waldump, ["--path", dir, "--rmgr=Transaction", segment], {
    env: { ...minimalChildEnv(), TZ: "UTC" },
    extendEnv: true,
    reject: false,
    stdin: "ignore",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES")) {
    throw new UserError(
      `pg_waldump was not found at ${waldump}: install the PostgreSQL server package of the database's major version on the recovery host, or set the PostgreSQL bin directory in the archive settings.`,
    );
  }
  const stdout = typeof r.stdout === "string" ? r.stdout : "";
  const stderr = typeof r.stderr === "string" ? r.stderr : "";
  // The segment's last record may continue in the next one: pg_waldump then ends with an error
  // after printing every complete record, which is exactly what recovery could replay.
  if (
    r.exitCode !== 0 &&
    !/error in WAL record|invalid record length|could not find a valid record|invalid magic number|contrecord/i.test(
      stderr,
    ) &&
    stdout === ""
  ) {
    throw new UserError(
      `pg_waldump could not read WAL segment ${segment}: ${stderr.trim().slice(0, 400) || "(no message)"}`,
    );
  }
  return lastXactRecord(stdout);
}

/**
 * The last archived COMMIT/ABORT record: fetched from the newest segment of the newest timeline,
 * walking back while a segment holds none (a switched segment may be only padding).
 */
export async function findLastCommit(
  archive: WindowArchive,
  segments: ArchivedSegment[],
  pgVersion: string | null,
): Promise<LastCommit | null> {
  if (segments.length === 0) return null;
  const candidates = segments.slice(-MAX_SEGMENTS_BACK).reverse();
  const binDir = pgBinDirFor(archive, pgVersion);
  if (!binDir)
    throw new UserError(
      "The PostgreSQL version of the archive is unknown: set the PostgreSQL bin directory in the archive settings.",
    );
  const waldump = path.join(binDir, "pg_waldump");
  let dir: string | null = null;
  try {
    for (const seg of candidates) {
      const key = `${archive.id}:${seg.file}`;
      let found = commitCache.get(key);
      if (found === undefined) {
        dir ??= await mkdtemp(path.join(os.tmpdir(), "lifeboat-wal-"));
        await fetchSegment(archive, seg.file, path.join(dir, seg.name));
        found = (await lastCommitIn(waldump, dir, seg.name)) ?? "none";
        if (commitCache.size >= COMMIT_CACHE_MAX) commitCache.delete(commitCache.keys().next().value ?? "");
        commitCache.set(key, found);
        await rm(path.join(dir, seg.name), { force: true });
      }
      if (found !== "none") {
        return {
          lsn: found.lsn,
          atMicros: found.atMicros,
          at: new Date(Number(found.atMicros / 1000n)),
          segment: seg.name,
        };
      }
    }
    return null;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

// --- The window ------------------------------------------------------------------------------

/** `pgbackrest info` for the archive's stanza, parsed and checked; says what to do when the stanza is not usable. */
export async function readArchiveInfo(
  archive: ArchiveAccess,
  opts: { signal?: AbortSignal } = {},
): Promise<PgbackrestInfo> {
  const { stdout } = await runPgbackrest(archive, "info", ["--output=json"], {
    signal: opts.signal,
    timeoutMs: 120_000,
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new UserError(
      "pgbackrest info did not print JSON: check that pgBackRest is version 2.x on the recovery host.",
    );
  }
  const info = parsePgbackrestInfo(json, archive.stanza);
  // 1: missing stanza path; 3: missing stanza data.
  if (info.status.code === 1 || info.status.code === 3) {
    throw new PgbackrestError(
      "stanza_missing",
      `The stanza "${archive.stanza}" was not found in the repository ${archive.repoPath}: check the stanza name and repository in the archive settings, or create it on the database server (pgbackrest --stanza=${archive.stanza} stanza-create).`,
    );
  }
  if (info.status.code === 99 || info.status.code === 4) {
    throw new PgbackrestError(
      "repo_unreadable",
      `The repository ${archive.repoPath} cannot be read: ${info.status.message.slice(0, 300)}. Check the repository settings and permissions.`,
    );
  }
  return info;
}

export async function listArchivedSegments(archive: ArchiveAccess, info: PgbackrestInfo): Promise<ArchivedSegment[]> {
  if (!info.archiveId) return [];
  const { stdout } = await runPgbackrest(
    archive,
    "repo-ls",
    [`archive/${archive.stanza}/${info.archiveId}`, "--recurse", "--output=json"],
    { timeoutMs: 120_000 },
  );
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new UserError(
      "pgbackrest repo-ls did not print JSON: check that pgBackRest is version 2.x on the recovery host.",
    );
  }
  // Paths relative to the repository, as repo-get wants them.
  return parseArchivedSegments(json).map((s) => ({
    ...s,
    file: `archive/${archive.stanza}/${info.archiveId}/${s.file}`,
  }));
}

/** The segments from `start` on, up to the first gap on the same timeline. */
export function contiguousFrom(segments: ArchivedSegment[], start: string): ArchivedSegment[] {
  const out: ArchivedSegment[] = [];
  for (const s of segments) {
    if (s.name < start) continue;
    const prev = out.at(-1);
    if (prev) {
      const a = segmentPosition(prev.name);
      const b = segmentPosition(s.name);
      if (a.timeline === b.timeline && b.position - a.position > 1n) break;
    } else if (s.name !== start) break;
    out.push(s);
  }
  return out;
}

/**
 * Reads the archive's recoverable window. `database` names the database in messages; the
 * window itself comes from the repository only (production is not contacted).
 */
export async function readRecoverableWindow(
  archive: WindowArchive,
  database: { id: string; name?: string },
): Promise<RecoverableWindow> {
  void database;
  const checkedAt = new Date();
  const info = await readArchiveInfo(archive);
  const segments = await listArchivedSegments(archive, info);
  const oldest = info.backups[0] ?? null;
  const newestBackup = info.backups.at(-1) ?? null;
  // WAL before the oldest backup's start cannot be replayed from any backup here.
  const usable = oldest ? segments.filter((s) => s.name >= oldest.walStart) : segments;
  // Recovery from the newest backup replays until the first missing segment: a commit after a
  // gap is out of reach.
  const reachable = newestBackup ? contiguousFrom(usable, newestBackup.walStart) : [];
  const last = await findLastCommit(archive, reachable, info.pgVersion);
  const newest = segments.at(-1) ?? null;
  let newestRecoverable: Date | null = null;
  if (last && oldest) {
    const candidate = newestTargetBefore(last.atMicros);
    newestRecoverable = candidate.getTime() >= earliestTarget(oldest).getTime() ? candidate : null;
  }
  return {
    baseBackups: info.backups,
    from: oldest ? earliestTarget(oldest) : null,
    newestRecoverable,
    newestRecoverableLsn: newestRecoverable && last ? last.lsn : null,
    lastCommitAt: last?.at ?? null,
    gaps: findGaps(usable),
    checkedAt,
    walMin: info.walMin,
    walMax: info.walMax,
    newestSegment: newest ? { name: newest.name, archivedAt: newest.archivedAt } : null,
    info,
  };
}

/**
 * The earliest time target a backup serves. pgBackRest stamps the stop in whole seconds, and the
 * backup became consistent before the real stop, which may be up to a second after the stamp:
 * the next whole second is always after it.
 */
export function earliestTarget(b: BaseBackup): Date {
  return new Date(b.stoppedAt.getTime() + 1000);
}

/** The newest base backup that ended before the target (a time, or an LSN), or null. */
export function baseBackupFor(
  window: Pick<RecoverableWindow, "baseBackups">,
  target: Date | { lsn: string },
): BaseBackup | null {
  let best: BaseBackup | null = null;
  for (const b of window.baseBackups) {
    const fits =
      target instanceof Date
        ? earliestTarget(b).getTime() <= target.getTime()
        : lsnValue(b.stopLsn) <= lsnValue(target.lsn);
    if (fits && (!best || b.stoppedAt.getTime() > best.stoppedAt.getTime())) best = b;
  }
  return best;
}
