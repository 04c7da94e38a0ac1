import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { UserError } from "@/lib/errors";
import { formatBytes } from "@/lib/format/bytes";
import type { BackupFormat } from "@/lib/backups/manifest";
import { PsqlScriptGuard, UnsafeSqlError, type SqlFinding } from "./sql-safety";
import { AclCollector, aclLineSink, type AclFacts } from "./acl-facts";

// The restore's working folder and the downloaded backup in it. The folder is private
// (0700, owned by the console's user) and the file 0600: a backup holds all of the data.

const PROGRESS_EVERY_MS = 250;
const MIB = 1024 * 1024;

/** Creates the folder 0700, or accepts an existing one only if it is ours and private. */
export async function prepareWorkDir(dir: string): Promise<void> {
  await fs.mkdir(path.dirname(dir), { recursive: true });
  try {
    await fs.mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
  const st = await fs.lstat(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || st.isSymbolicLink() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new UserError(
      `the restore folder ${dir} exists but is not a private folder of the console's user: remove it and try again`,
      409,
    );
  }
}

export async function removeWorkDir(dir: string): Promise<boolean> {
  const existed = await fs.stat(dir).then(
    () => true,
    () => false,
  );
  await fs.rm(dir, { recursive: true, force: true });
  return existed;
}

/** Bytes free for the console's user in the folder holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  let probe = dir;
  for (;;) {
    try {
      const s = await fs.statfs(probe);
      return s.bavail * s.bsize;
    } catch (e) {
      const parent = path.dirname(probe);
      if ((e as { code?: string }).code !== "ENOENT" || parent === probe) throw e;
      probe = parent;
    }
  }
}

export type Meter = Transform & { bytes: () => number; sha256: () => string };

/** Counts and hashes what passes, reporting progress now and then. */
export function meter(onProgress?: (bytes: number) => void): Meter {
  const hash = createHash("sha256");
  let bytes = 0;
  let last = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      const now = performance.now();
      if (onProgress && now - last >= PROGRESS_EVERY_MS) {
        last = now;
        onProgress(bytes);
      }
      cb(null, chunk);
    },
  });
  let digest: string | null = null;
  return Object.assign(t, {
    bytes: () => bytes,
    sha256: () => (digest ??= hash.digest("hex")),
  });
}

export type DownloadResult = { path: string; bytes: number; sha256: string; durationMs: number };

/** Streams `source` into a new 0600 file (replacing a leftover one), hashing as it goes. */
export async function downloadTo(
  source: Readable,
  file: string,
  onProgress: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<DownloadResult> {
  const started = performance.now();
  await fs.rm(file, { force: true });
  const m = meter(onProgress);
  try {
    // A large write buffer lets reading, hashing and writing overlap (measured: 46 → 37 ms for 20 MB).
    await pipeline(source, m, createWriteStream(file, { mode: 0o600, flags: "wx", highWaterMark: 4 * MIB }), {
      signal,
    });
  } catch (e) {
    await fs.rm(file, { force: true });
    throw e;
  }
  onProgress(m.bytes());
  return { path: file, bytes: m.bytes(), sha256: m.sha256(), durationMs: Math.round(performance.now() - started) };
}

export type ScanResult = {
  sha256: string;
  bytes: number;
  sqlBytes: number;
  lines: number;
  statements: number;
  copyBlocks: number;
  /** pg_dump's own \restrict / \unrestrict lines (left out at restore; psql gets Lifeboat's key). */
  restrictLines: number;
  findings: SqlFinding[];
  findingCount: number;
  /** Worth a line in the log, not a refusal (e.g. functions that build SQL at run time). */
  warnings: SqlFinding[];
  /** The roles the dump names and who may read which table. */
  acl: AclFacts;
};

/** Reads a plain (or gzipped plain) dump once: sha256 of the file, and the psql-command scan. */
export async function scanPlainDump(
  file: string,
  format: BackupFormat,
  onProgress: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<ScanResult> {
  if (format !== "plain" && format !== "plain_gzip") throw new Error(`not a plain SQL dump: ${format}`);
  const m = meter(onProgress);
  const guard = new PsqlScriptGuard();
  let sqlBytes = 0;
  // The same pass notes the roles the dump names and who may read which table.
  const acl = new AclCollector();
  const aclLines = aclLineSink(acl);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      sqlBytes += chunk.length;
      aclLines.write(chunk);
      cb();
    },
    final(cb) {
      aclLines.end();
      cb();
    },
  });
  const stages = format === "plain_gzip" ? [zlib.createGunzip()] : [];
  let unsafe: UnsafeSqlError | null = null;
  try {
    await pipeline([createReadStream(file), m, ...stages, guard, sink], { signal });
  } catch (e) {
    if (e instanceof UnsafeSqlError) unsafe = e;
    else if (
      e instanceof Error &&
      /unexpected end of file|incorrect|invalid/i.test(e.message) &&
      format === "plain_gzip"
    ) {
      throw new UserError(`the gzip data cannot be read to the end (${e.message}): the file is damaged`);
    } else throw e;
  }
  const s = guard.scanner;
  return {
    sha256: m.sha256(),
    bytes: m.bytes(),
    sqlBytes,
    lines: s.lineNo,
    statements: s.statements,
    copyBlocks: s.copyBlocks,
    restrictLines: s.droppedLines,
    acl: acl.result(),
    findings: unsafe ? unsafe.findings : [],
    findingCount: unsafe ? unsafe.total : 0,
    warnings: [...s.warnings],
  };
}

export function bytesText(n: number): string {
  return n < 1024 ? `${n} bytes` : `${formatBytes(n)} (${n.toLocaleString("en-US")} bytes)`;
}
