import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import { PassThrough, Transform, type Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { verifyBackup, type VerificationCheck, type VerificationResult } from "@/lib/backups/verify";
import type { BackupFormat, Manifest } from "@/lib/backups/manifest";
import type { BinOptions } from "@/lib/postgres/commands";
import { inspectArchive, type ArchiveInspection } from "./archive-inspect";
import { meter, type DownloadResult } from "./files";

// The download reads the backup's bytes once and hands every chunk, as it arrives, to the file,
// the sha256, the verification (size, gzip, the archive's table of contents and data blocks) and,
// for a custom-format archive, the SQL safety inspection (pg_restore writing the archive's script
// from its stdin; only its schema when the signed manifest names the bytes). The verify and safety steps then read nothing again: they take what the
// download computed, bound to the same bytes (the downloaded file's sha256, size, inode and
// modification and change times must still be the ones the download recorded: any write to the
// file moves its change time, which no one but root can set back).

const MIB = 1024 * 1024;

/** What identifies the downloaded file on disk: a later step trusts results only for the same file. */
export const fileIdentitySchema = z.object({
  size: z.number(),
  ino: z.number(),
  mtimeMs: z.number(),
  ctimeMs: z.number(),
});
export type FileIdentity = z.output<typeof fileIdentitySchema>;

export async function fileIdentity(file: string): Promise<FileIdentity | null> {
  const st = await fs.stat(file).catch(() => null);
  return st ? { size: st.size, ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs } : null;
}

export function sameFile(a: FileIdentity | null, b: FileIdentity | null): boolean {
  return (
    a !== null &&
    b !== null &&
    a.size === b.size &&
    a.ino === b.ino &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  );
}

export type OnePassResult = DownloadResult & {
  file: FileIdentity;
  /** The verification of the bytes as they streamed; null when it could not run (the verify step reads the file then). */
  verification: VerificationResult | null;
};

/** Inspections of custom archives done while downloading, by file: the safety step takes them when they match. */
const inspections = new Map<string, { sha256: string; file: FileIdentity; inspection: ArchiveInspection }>();

/** The inspection the download made of exactly these bytes (same sha256, same file), or null; once. */
export async function inspectionOf(file: string, sha256: string): Promise<ArchiveInspection | null> {
  const kept = inspections.get(file);
  // Taken once: a step run again reads the file (and the console keeps nothing per past run).
  inspections.delete(file);
  if (!kept || kept.sha256 !== sha256) return null;
  return sameFile(kept.file, await fileIdentity(file)) ? kept.inspection : null;
}

/** Resolves once `w` took the chunk, or at once when it is gone (a side consumer stopped early). */
function offer(w: Writable, chunk: Buffer): Promise<void> {
  if (w.destroyed || w.writableEnded) return Promise.resolve();
  if (w.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      w.off("drain", done);
      w.off("close", done);
      w.off("error", done);
      resolve();
    };
    w.on("drain", done);
    w.on("close", done);
    w.on("error", done);
  });
}

/** A side stream fed by the download; it swallows its errors (its consumer reports what went wrong). */
function side(): PassThrough {
  const p = new PassThrough({ highWaterMark: 4 * MIB });
  p.on("error", () => undefined);
  return p;
}

/**
 * Streams `source` into a new 0600 file (replacing a leftover one) and, on the same pass, hashes
 * it, verifies it and (custom archives) inspects its SQL. A failure to write the file fails the
 * download; a verification or inspection that could not run leaves its later step to read the file.
 */
export async function downloadOnePass(
  source: Readable,
  file: string,
  o: BinOptions & {
    format: BackupFormat;
    /** The size the location lists. */
    size: number;
    /** The trusted (signed) manifest of these bytes, when the backup has one. */
    manifest: Manifest | null;
    onProgress: (bytes: number) => void;
    signal?: AbortSignal;
    /**
     * Told the inspection as soon as it is read (before the last byte): for read-only work on it
     * that may start early. What it holds vouches for nothing until inspectionOf hands it out.
     */
    onInspection?: (inspection: ArchiveInspection) => void;
  },
): Promise<OnePassResult> {
  const started = performance.now();
  inspections.delete(file);
  await fs.rm(file, { force: true });
  const toVerify = side();
  const toInspect = o.format === "custom" ? side() : null;
  const sides: PassThrough[] = toInspect ? [toVerify, toInspect] : [toVerify];
  // An archive whose signed manifest names its bytes was made by Lifeboat's pg_dump, whose data
  // section is COPY data (never run as SQL) and pg_dump's own COPY and setval lines: its schema
  // is read, its data not decompressed. Taken only when the bytes turn out to be the named ones.
  const signedSha256 = o.format === "custom" && o.manifest ? o.manifest.sha256 : null;
  // From stdin, as pg_restore reads a custom archive written in order (pg_dump's); when it cannot
  // (an archive whose data is out of order, a damaged one), the safety step reads the file.
  const inspecting = toInspect
    ? inspectArchive(null, { binDir: o.binDir }, o.signal, toInspect, { schemaOnly: signedSha256 !== null }).then(
        (r) => {
          o.onInspection?.(r);
          return r;
        },
        () => null,
      )
    : Promise.resolve(null);
  // pg_restore writing the whole script reads every data block: the verification's "table data"
  // check, without a second pg_restore decompressing the same bytes. When the script stopped
  // early (unreadable from a stream, or unsafe SQL found), that check is not known from this
  // pass: the verify step then reads the file with its own.
  let dataUnknown = false;
  const dataCheck = async (): Promise<VerificationCheck> => {
    const r = await inspecting;
    if (r && r.findingCount === 0 && r.schemaOnly)
      return {
        name: "table data",
        ok: true,
        detail:
          "not decompressed before the restore: the bytes are the ones the signed manifest names (its sha256 is checked on the same pass, and a damaged block would change it); the restore reads every block, and a failure there drops the scratch copy",
      };
    if (r && r.findingCount === 0)
      return {
        name: "table data",
        ok: true,
        detail: `every data block reads to the end (pg_restore wrote the archive's script: ${r.statements.toLocaleString("en-US")} statements, ${r.copyBlocks} COPY data blocks)`,
      };
    dataUnknown = true;
    return { name: "table data", ok: false, detail: "not read to the end on the download's pass" };
  };
  const verifying = verifyBackup({
    open: async () => toVerify,
    size: o.size,
    format: o.format,
    manifest: o.manifest,
    signal: o.signal,
    binDir: o.binDir,
    dataCheck: toInspect ? dataCheck : undefined,
  }).then(
    (r) => r,
    () => null,
  );
  const m = meter(o.onProgress);
  const tee = new Transform({
    highWaterMark: 4 * MIB,
    transform(chunk: Buffer, _enc, cb) {
      Promise.all(sides.map((s) => offer(s, chunk))).then(() => cb(null, chunk), cb);
    },
    flush(cb) {
      for (const s of sides) s.end();
      cb();
    },
  });
  try {
    // A large write buffer lets reading, hashing and writing overlap.
    await pipeline(
      source,
      m,
      tee,
      createWriteStream(file, { mode: 0o600, flags: "wx", highWaterMark: 4 * MIB }),
      o.signal ? { signal: o.signal } : {},
    );
  } catch (e) {
    for (const s of sides) s.destroy();
    await Promise.all([verifying, inspecting]);
    await fs.rm(file, { force: true });
    throw e;
  }
  o.onProgress(m.bytes());
  const [verification, inspection] = await Promise.all([verifying, inspecting]);
  const sha256 = m.sha256();
  const identity = await fileIdentity(file);
  if (!identity) throw new Error(`the downloaded file ${file} is gone`);
  // Results of other bytes than the file's are of no use (cannot happen: one stream fed all).
  // A reading of the schema alone vouches for nothing but the bytes the signed manifest names.
  const notSigned = signedSha256 !== null && sha256 !== signedSha256;
  const verified =
    verification && !dataUnknown && !notSigned && verification.sha256 === sha256 && verification.bytes === m.bytes();
  if (inspection && !notSigned) inspections.set(file, { sha256, file: identity, inspection });
  return {
    path: file,
    bytes: m.bytes(),
    sha256,
    durationMs: Math.round(performance.now() - started),
    file: identity,
    verification: verified ? verification : null,
  };
}
