import { formatBytes as humanBytes } from "@/lib/format/bytes";
import { createHash } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import zlib from "node:zlib";
import { execa, type ResultPromise } from "execa";
import { pgRestoreArgs, pgRestoreListArgs, type BinOptions } from "@/lib/postgres/commands";
import { missingToolError } from "@/lib/postgres/run";
import type { BackupFormat, Manifest } from "./manifest";
import type { ManifestTrust } from "./manifest-signature";
import { checkManifest } from "./manifest-trust";
import { minimalChildEnv } from "@/lib/env";
import { executable } from "@/lib/postgres/executable";

// Verifies a backup in one streaming pass: the bytes are read once and fed at the same
// time to a sha256 hash, a byte counter and a format check. Nothing holds more than a few
// KB of the backup (the SQL tail) plus pipe buffers, whatever its size.
//
// Format checks:
//   plain        the SQL ends with pg_dump's completion line (only the tail is kept)
//   plain_gzip   gunzip to the end (catches truncation and CRC errors) + the same tail check
//   custom       pg_restore --list (header and table of contents) and pg_restore
//                --file=/dev/null (reads every data block, so a cut-off archive fails).
//                Both read the stream from stdin: pg_dump writes data blocks in TOC order,
//                so a full sequential read needs no seeking and no temp copy (measured:
//                works for archives written to a pipe and to a file).
//   tar          pg_restore --list + a walk of the tar headers (a cut-off member or a
//                missing end-of-archive marker fails). A full pg_restore read of a cut-off
//                tar from stdin spins forever in pg_restore 15, so it is not used.
//   unknown      size and sha256 only.

export type VerificationCheck = { name: string; ok: boolean; detail: string };

export type VerificationResult = {
  ok: boolean;
  checks: VerificationCheck[];
  sha256: string;
  bytes: number;
  durationMs: number;
  summary: string;
};

export type VerifyInput = BinOptions & {
  /** Opens a fresh stream of the backup's bytes (called once). */
  open: () => Promise<Readable>;
  /** The size the storage lists for the object. */
  size: number;
  format: BackupFormat;
  manifest?: Manifest | null;
  onProgress?: (bytesDone: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Custom archives: the caller reads every data block itself (a restore's download feeds the
   * same bytes to pg_restore writing the archive's script) and gives the "table data" check
   * here, once the bytes are all read; no second pg_restore decompresses them.
   */
  dataCheck?: () => Promise<VerificationCheck>;
};

/** Thrown when the bytes could not be read: that says nothing about the backup itself. */
export class BackupReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackupReadError";
  }
}

const COMPLETION_LINES = ["-- PostgreSQL database dump complete", "-- PostgreSQL database cluster dump complete"];
const TAIL_BYTES = 8 * 1024;
const HEAD_BYTES = 1024;
/** A check's child that accepts no input for this long is considered stuck and stopped. */
const STALL_MS = 120_000;
/** After the last byte, pg_restore has only its pipe buffer left to read. */
const EXIT_GRACE_MS = 60_000;
const PROGRESS_EVERY_MS = 100;

/** "350 KiB (358,838 bytes)": the console's units, with the exact count beside them. */
function formatBytes(n: number): string {
  return n < 1024 ? `${n} bytes` : `${humanBytes(n)} (${n.toLocaleString("en-US")} bytes)`;
}

/** What the first bytes look like, to turn "not a valid archive" into a useful hint. */
export function sniffFormat(head: Buffer): "custom" | "gzip" | "tar" | "sql" | null {
  if (head.subarray(0, 5).toString("latin1") === "PGDMP") return "custom";
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "tar";
  const text = head
    .subarray(0, 200)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (/^(--|\\restrict |SET |CREATE |BEGIN|SELECT |INSERT |COPY )/.test(text)) return "sql";
  return null;
}

const SNIFF_HINT: Record<NonNullable<ReturnType<typeof sniffFormat>>, { format: BackupFormat; words: string }> = {
  custom: { format: "custom", words: "a pg_dump custom-format archive" },
  gzip: { format: "plain_gzip", words: "a gzip file" },
  tar: { format: "tar", words: "a tar archive" },
  sql: { format: "plain", words: "plain SQL" },
};

function sniffHint(head: Buffer, declared: BackupFormat): string {
  const s = sniffFormat(head);
  if (s === null) return "its first bytes match no backup format Lifeboat knows";
  const h = SNIFF_HINT[s];
  if (h.format === declared) return "";
  return `its first bytes look like ${h.words} (format ${h.format}), not ${declared}`;
}

// --- writing with backpressure to something that may die -------------------------------

/** Resolves true once `w` accepted the chunk (drained), false when it died or stalled. */
function writeChunk(w: Writable, chunk: Buffer, stallMs = STALL_MS): Promise<boolean> {
  if (w.destroyed || w.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    let ok: boolean;
    try {
      ok = w.write(chunk);
    } catch {
      resolve(false);
      return;
    }
    if (ok) {
      resolve(true);
      return;
    }
    const done = (v: boolean) => {
      clearTimeout(timer);
      w.off("drain", onDrain);
      w.off("close", onClose);
      w.off("error", onClose);
      resolve(v);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), stallMs);
    w.on("drain", onDrain);
    w.on("close", onClose);
    w.on("error", onClose);
  });
}

// --- format checks -----------------------------------------------------------------------

interface FormatCheck {
  write(chunk: Buffer): Promise<void>;
  /** Called after the last byte; `bytes` is the total read. */
  finish(bytes: number): Promise<VerificationCheck[]>;
  /** Stops any child process (on abort or a read failure). */
  abort(): void;
}

/** Keeps the last TAIL_BYTES of a stream. */
class Tail {
  private buf = Buffer.alloc(0);
  head = Buffer.alloc(0);
  total = 0;
  push(chunk: Buffer) {
    this.total += chunk.length;
    if (this.head.length < HEAD_BYTES)
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    if (chunk.length >= TAIL_BYTES) this.buf = Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES));
    else {
      const joined = Buffer.concat([this.buf, chunk]);
      this.buf = joined.length > TAIL_BYTES ? joined.subarray(joined.length - TAIL_BYTES) : joined;
    }
  }
  get bytes(): Buffer {
    return this.buf;
  }
}

/** pg_dump's plain output ends with its completion comment (then, since 15.14/16.10/17.6, an \unrestrict line). */
export function completionCheck(tail: Buffer, sqlBytes: number, head: Buffer): VerificationCheck {
  const name = "pg_dump completion line";
  const text = tail.toString("utf8");
  let at = -1;
  let line = "";
  for (const l of COMPLETION_LINES) {
    const i = text.lastIndexOf(l);
    if (i > at) {
      at = i;
      line = l;
    }
  }
  if (at < 0) {
    const hint =
      sniffFormat(head) === "sql" ? "" : ` (${sniffHint(head, "plain") || "it does not start like pg_dump output"})`;
    return {
      name,
      ok: false,
      detail: `the SQL ends without pg_dump's completion line ("${COMPLETION_LINES[0]}") after ${formatBytes(sqlBytes)}: the dump is incomplete (pg_dump did not finish, or the file was cut off)${hint}`,
    };
  }
  const after = text
    .slice(at + line.length)
    .split(/\r?\n/)
    .map((l) => l.trim());
  const extra = after.filter((l) => l !== "" && l !== "--" && !/^\\unrestrict [A-Za-z0-9]+$/.test(l));
  if (extra.length > 0) {
    return {
      name,
      ok: false,
      detail: `${extra.length} line(s) of SQL follow pg_dump's completion line: the file was modified or two dumps were joined`,
    };
  }
  return { name, ok: true, detail: `${formatBytes(sqlBytes)} of SQL ending with "${line}"` };
}

class PlainCheck implements FormatCheck {
  private tail = new Tail();
  async write(chunk: Buffer) {
    this.tail.push(chunk);
  }
  async finish(): Promise<VerificationCheck[]> {
    return [completionCheck(this.tail.bytes, this.tail.total, this.tail.head)];
  }
  abort() {}
}

function gzipProblem(e: Error & { code?: string }, at: number, total: number, head: Buffer): string {
  const msg = e.message;
  if (/unexpected end of file/i.test(msg) || e.code === "Z_BUF_ERROR") {
    return `gzip stream ends early at byte ${at.toLocaleString("en-US")}: the file is truncated`;
  }
  if (/incorrect header check|unknown compression method/i.test(msg)) {
    const hint = sniffHint(head, "plain_gzip");
    return `not a gzip file${hint ? `: ${hint}` : ""}`;
  }
  if (/incorrect data check/i.test(msg)) {
    return `gzip checksum (CRC-32) does not match near byte ${at.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}: the data is corrupt`;
  }
  return `gzip data is corrupt near byte ${at.toLocaleString("en-US")} (zlib: ${msg})`;
}

class GzipCheck implements FormatCheck {
  private gunzip = zlib.createGunzip();
  private tail = new Tail();
  private head = Buffer.alloc(0);
  private fed = 0;
  private error: { e: Error; at: number } | null = null;
  private done: Promise<void>;

  constructor() {
    this.gunzip.on("data", (c: Buffer) => this.tail.push(c));
    this.done = new Promise((resolve) => {
      this.gunzip.on("end", resolve);
      this.gunzip.on("error", (e) => {
        this.error ??= { e, at: this.fed };
        resolve();
      });
    });
  }

  async write(chunk: Buffer) {
    if (this.head.length < HEAD_BYTES)
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    if (this.error) return;
    this.fed += chunk.length;
    await writeChunk(this.gunzip, chunk);
  }

  async finish(bytes: number): Promise<VerificationCheck[]> {
    if (!this.error) this.gunzip.end();
    await this.done;
    if (this.error) {
      return [{ name: "gzip", ok: false, detail: gzipProblem(this.error.e, this.error.at, bytes, this.head) }];
    }
    return [
      { name: "gzip", ok: true, detail: `decompresses to the end: ${formatBytes(this.tail.total)} of SQL` },
      completionCheck(this.tail.bytes, this.tail.total, this.tail.head),
    ];
  }

  abort() {
    this.gunzip.destroy();
  }
}

/** Explains pg_restore's complaint about an archive for someone who did not write pg_restore. */
export function explainPgRestore(stderr: string, bytes: number, head: Buffer, declared: BackupFormat): string {
  const firstError =
    stderr
      .split("\n")
      .map((l) => l.trim())
      .find((l) => /error:|fatal:/i.test(l)) ??
    stderr.trim().split("\n")[0] ??
    "";
  const msg = firstError.replace(/^pg_restore:\s*(error:\s*)?/, "");
  if (/could not read from input file: end of file|unexpected end of file/.test(stderr)) {
    return `the archive ends early, after ${formatBytes(bytes)}: the file is truncated (pg_restore: ${msg})`;
  }
  if (/appears to be a text format dump/.test(stderr)) {
    return "this is a plain SQL dump, not a pg_dump archive: verify it as plain (or plain_gzip)";
  }
  if (
    /does not appear to be a valid archive|did not find magic string|could not find header|not a valid archive/.test(
      stderr,
    )
  ) {
    const hint = sniffHint(head, declared);
    return `not a pg_dump ${declared} archive${hint ? `: ${hint}` : ""} (pg_restore: ${msg})`;
  }
  if (/unsupported version/.test(stderr)) {
    return `the archive was made by a newer pg_dump than this pg_restore can read: install newer PostgreSQL client tools (pg_restore: ${msg})`;
  }
  if (/could not uncompress|decompress|corrupt|invalid|unrecognized/i.test(stderr)) {
    return `the archive's data is damaged (pg_restore: ${msg})`;
  }
  if (/out-of-order restore request|non-seekable/.test(stderr)) {
    return `the archive's data blocks are not in table-of-contents order, so it cannot be read in one pass: restore it from a local file to check it (pg_restore: ${msg})`;
  }
  return `pg_restore: ${msg || "failed without a message"}`;
}

type Child = ResultPromise<{ stdin: "pipe"; stdout: "pipe"; stderr: "pipe"; reject: false; buffer: { stdout: false } }>;

/** pg_restore reading the archive from stdin. */
class PgRestoreChild {
  readonly child: Child;
  private stalled = false;
  private lines = { entries: 0, data: 0, partial: "", header: new Map<string, string>() };

  constructor(
    argv: readonly string[],
    countToc: boolean,
    private readonly binDir?: string,
  ) {
    const [file, ...args] = argv;
    this.child = execa(executable(file ?? "pg_restore"), args, {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      reject: false,
      buffer: { stdout: false },
      // English messages, so that explainPgRestore recognises them; none of the console's secrets.
      env: { ...minimalChildEnv(), LC_ALL: undefined, LC_MESSAGES: "C" },
      maxBuffer: { stderr: 1024 * 1024 },
    });
    this.child.stdin.on("error", () => {
      // pg_restore stopped reading (it finished the TOC, or it failed): its exit says which.
    });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (d: string) => {
      if (!countToc) return;
      const text = this.lines.partial + d;
      const parts = text.split("\n");
      this.lines.partial = parts.pop() ?? "";
      for (const l of parts) this.countLine(l);
    });
  }

  private countLine(l: string) {
    if (l.startsWith(";")) {
      const m = /^;\s+(dbname|Dumped from database version|Dumped by pg_dump version|Format|TOC Entries):\s*(.*)$/.exec(
        l,
      );
      if (m?.[1] && m[2] !== undefined) this.lines.header.set(m[1], m[2].trim());
      return;
    }
    if (l.trim() === "") return;
    this.lines.entries++;
    if (/^\d+; \d+ \d+ TABLE DATA /.test(l)) this.lines.data++;
  }

  async write(chunk: Buffer) {
    if (this.stalled || this.child.exitCode !== null) return;
    const accepted = await writeChunk(this.child.stdin, chunk);
    if (!accepted && !this.child.stdin.destroyed && this.child.exitCode === null) {
      this.stalled = true;
      this.child.kill();
    }
  }

  async finish(): Promise<{ ok: boolean; stderr: string; stalled: boolean; toc: PgRestoreChild["lines"] }> {
    if (!this.child.stdin.destroyed) this.child.stdin.end();
    const timer = setTimeout(() => {
      this.stalled = true;
      this.child.kill("SIGKILL");
    }, EXIT_GRACE_MS);
    const r = await this.child;
    clearTimeout(timer);
    if (this.lines.partial) this.countLine(this.lines.partial);
    const stderr = typeof r.stderr === "string" ? r.stderr : "";
    if (r.exitCode === undefined && !this.stalled) {
      // Not the archive's fault: the check could not run at all.
      if (r.code === "ENOENT" || r.code === "EACCES") throw missingToolError("pg_restore", this.binDir);
      return {
        ok: false,
        stderr: `could not run pg_restore: ${r.shortMessage ?? "no message"}`,
        stalled: false,
        toc: this.lines,
      };
    }
    return { ok: r.exitCode === 0 && !this.stalled, stderr, stalled: this.stalled, toc: this.lines };
  }

  abort() {
    this.child.kill("SIGKILL");
  }
}

function tocDetail(toc: PgRestoreChild["lines"]): string {
  const h = toc.header;
  const parts = [`${toc.entries} entries, ${toc.data} with table data`];
  const from = h.get("Dumped from database version");
  const by = h.get("Dumped by pg_dump version");
  if (h.get("dbname")) parts.push(`database ${h.get("dbname")}`);
  if (from) parts.push(`dumped from PostgreSQL ${from.split(" ")[0]}${by ? ` by pg_dump ${by.split(" ")[0]}` : ""}`);
  return parts.join("; ");
}

class ArchiveCheck implements FormatCheck {
  private list: PgRestoreChild;
  private full: PgRestoreChild | null;
  private tar: TarWalk | null;
  private head = Buffer.alloc(0);

  constructor(
    private readonly format: "custom" | "tar",
    bin: BinOptions,
    private readonly dataCheck?: () => Promise<VerificationCheck>,
  ) {
    this.list = new PgRestoreChild(pgRestoreListArgs({ binDir: bin.binDir }), true, bin.binDir);
    this.full =
      format === "custom" && !dataCheck
        ? new PgRestoreChild(pgRestoreArgs({ outputFile: "/dev/null", binDir: bin.binDir }), false, bin.binDir)
        : null;
    this.tar = format === "tar" ? new TarWalk() : null;
  }

  async write(chunk: Buffer) {
    if (this.head.length < HEAD_BYTES)
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    this.tar?.push(chunk);
    await Promise.all([this.list.write(chunk), this.full?.write(chunk)]);
  }

  async finish(bytes: number): Promise<VerificationCheck[]> {
    const [list, full] = await Promise.all([this.list.finish(), this.full?.finish()]);
    const checks: VerificationCheck[] = [];
    const stuck = "pg_restore stopped reading the archive and was stopped: the archive is probably damaged";
    checks.push(
      list.ok
        ? { name: "table of contents", ok: true, detail: tocDetail(list.toc) }
        : {
            name: "table of contents",
            ok: false,
            detail: list.stalled ? stuck : explainPgRestore(list.stderr, bytes, this.head, this.format),
          },
    );
    if (full) {
      // When the TOC cannot be read, the data read fails for the same reason: say it once.
      if (list.ok || full.ok) {
        checks.push(
          full.ok
            ? { name: "table data", ok: true, detail: `every data block reads to the end (${list.toc.data} tables)` }
            : {
                name: "table data",
                ok: false,
                detail: full.stalled ? stuck : explainPgRestore(full.stderr, bytes, this.head, this.format),
              },
        );
      }
    }
    if (this.tar) checks.push(this.tar.check(bytes));
    if (this.format === "custom" && this.dataCheck) checks.push(await this.dataCheck());
    return checks;
  }

  abort() {
    this.list.abort();
    this.full?.abort();
  }
}

/**
 * Walks tar headers as the bytes go by: every member must be complete and the archive must
 * end with its end-of-archive marker (two zero blocks), which pg_dump always writes.
 */
export class TarWalk {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current member's body (with padding) still to skip. */
  private skip = 0;
  private offset = 0;
  private member: { name: string; size: number; start: number } | null = null;
  private zeroBlocks = 0;
  private ended = false;
  private problem: string | null = null;
  members = 0;

  push(chunk: Buffer) {
    let c = chunk;
    while (c.length > 0 && !this.ended && !this.problem) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, c.length);
        this.skip -= n;
        this.offset += n;
        c = c.subarray(n);
        if (this.skip === 0) this.member = null;
        continue;
      }
      const need = 512 - this.pending.length;
      const take = c.subarray(0, need);
      this.pending = this.pending.length === 0 && take.length === 512 ? take : Buffer.concat([this.pending, take]);
      c = c.subarray(take.length);
      if (this.pending.length < 512) break;
      this.header(this.pending);
      this.offset += 512;
      this.pending = Buffer.alloc(0);
    }
  }

  private header(h: Buffer) {
    if (h.every((b) => b === 0)) {
      this.zeroBlocks++;
      if (this.zeroBlocks === 2) this.ended = true;
      return;
    }
    if (this.zeroBlocks > 0) {
      this.problem = `data follows a zero block at byte ${(this.offset - 512).toLocaleString("en-US")}: the tar archive is damaged`;
      return;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
    const stored = parseInt(h.subarray(148, 156).toString("latin1").replace(/\0.*$/s, "").trim(), 8);
    if (stored !== sum) {
      this.problem = `tar header at byte ${this.offset.toLocaleString("en-US")} has a wrong checksum: the archive is damaged or not a tar file`;
      return;
    }
    const name = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = tarNumber(h.subarray(124, 136));
    if (size === null) {
      this.problem = `tar header for ${name} has an unreadable size: the archive is damaged`;
      return;
    }
    this.members++;
    this.member = { name, size, start: this.offset + 512 };
    this.skip = Math.ceil(size / 512) * 512;
    if (this.skip === 0) this.member = null;
  }

  check(total: number): VerificationCheck {
    const name = "tar structure";
    if (this.problem) return { name, ok: false, detail: this.problem };
    if (this.ended)
      return { name, ok: true, detail: `${this.members} members, each complete, and the end-of-archive marker` };
    if (this.member) {
      const missing = this.member.start + this.member.size - total;
      return {
        name,
        ok: false,
        detail: `tar archive ends early at byte ${total.toLocaleString("en-US")} inside member ${this.member.name}${missing > 0 ? ` (${missing.toLocaleString("en-US")} bytes missing)` : ""}: the file is truncated`,
      };
    }
    return {
      name,
      ok: false,
      detail: `tar archive ends at byte ${total.toLocaleString("en-US")} without its end-of-archive marker (after ${this.members} members): the file is truncated`,
    };
  }
}

/** A tar numeric field: octal text, or GNU base-256 when the high bit is set. */
function tarNumber(field: Buffer): number | null {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let v = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + (field[i] ?? 0);
    return Number.isSafeInteger(v) ? v : null;
  }
  const text = field.toString("latin1").replace(/\0.*$/s, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return null;
  return parseInt(text, 8);
}

class UnknownFormatCheck implements FormatCheck {
  private head = Buffer.alloc(0);
  async write(chunk: Buffer) {
    if (this.head.length < HEAD_BYTES)
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
  }
  async finish(): Promise<VerificationCheck[]> {
    const s = sniffFormat(this.head);
    const hint = s
      ? ` Its first bytes look like ${SNIFF_HINT[s].words}: set the backup's format to ${SNIFF_HINT[s].format} to check its contents.`
      : "";
    return [
      {
        name: "format",
        ok: false,
        detail: `The format is unknown, so only the size and sha256 were checked, not whether it can be restored.${hint}`,
      },
    ];
  }
  abort() {}
}

function formatCheck(format: BackupFormat, bin: BinOptions, dataCheck?: () => Promise<VerificationCheck>): FormatCheck {
  switch (format) {
    case "plain":
      return new PlainCheck();
    case "plain_gzip":
      return new GzipCheck();
    case "custom":
    case "tar":
      return new ArchiveCheck(format, bin, dataCheck);
    case "unknown":
      return new UnknownFormatCheck();
  }
}

// --- the pass -----------------------------------------------------------------------------

function summarize(
  checks: VerificationCheck[],
  format: BackupFormat,
  bytes: number,
  trust: ManifestTrust | null,
): string {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) {
    const manifest =
      trust === null
        ? "no manifest to compare with"
        : trust.trusted
          ? "matches its signed manifest"
          : trust.reason === "unsigned"
            ? "unsigned manifest — not trusted"
            : "manifest signature not valid — not trusted";
    return `Verified: ${format} backup, ${formatBytes(bytes)}, ${checks.length} checks passed (${manifest}).`;
  }
  const first = failed[0];
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more problem${failed.length > 2 ? "s" : ""})` : "";
  return `Failed: ${first?.name}: ${first?.detail}${more}.`;
}

/**
 * Reads the backup once and checks it. Resolves with the verdict; rejects only when the
 * bytes could not be read (BackupReadError, or the storage's own error) or on abort: such
 * a failure says nothing about the backup.
 */
export async function verifyBackup(input: VerifyInput): Promise<VerificationResult> {
  const started = performance.now();
  const { signal } = input;
  signal?.throwIfAborted();

  const hash = createHash("sha256");
  let bytes = 0;
  let check: FormatCheck | null = null;
  let lastProgress = 0;
  const source = await input.open();
  const onAbort = () => {
    source.destroy();
    check?.abort();
  };
  signal?.addEventListener("abort", onAbort, { once: true });

  try {
    try {
      for await (const data of source) {
        signal?.throwIfAborted();
        const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as Uint8Array);
        if (chunk.length === 0) continue;
        hash.update(chunk);
        bytes += chunk.length;
        check ??= formatCheck(input.format, { binDir: input.binDir }, input.dataCheck);
        await check.write(chunk);
        const now = performance.now();
        if (input.onProgress && now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          input.onProgress(bytes, input.size);
        }
      }
    } catch (e) {
      check?.abort();
      signal?.throwIfAborted();
      if (e instanceof Error && e.name === "StorageError") throw e;
      throw new BackupReadError(
        `could not read the backup after ${formatBytes(bytes)}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    input.onProgress?.(bytes, input.size);

    const checks: VerificationCheck[] = [];
    if (bytes === 0) {
      checks.push({
        name: "size",
        ok: false,
        detail: "The backup is 0 bytes: the backup job wrote nothing (it failed or ran out of space)",
      });
    } else {
      checks.push({ name: "size", ok: true, detail: formatBytes(bytes) });
    }
    if (bytes !== input.size) {
      checks.push({
        name: "size matches storage",
        ok: false,
        detail: `read ${formatBytes(bytes)} but the storage lists ${formatBytes(input.size)}: the object changed while it was read, or the read was cut short`,
      });
    }
    const sha256 = hash.digest("hex");
    const m = input.manifest ?? null;
    // A manifest only Lifeboat could have written vouches for the bytes; an unsigned one is
    // compared too (a difference still fails: something does not add up), but a match proves
    // nothing, since whoever wrote the backup could have written the manifest beside it.
    const trust = m ? checkManifest(m).trust : null;
    if (m && trust) {
      const problems: VerificationCheck[] = [];
      if (m.size !== bytes)
        problems.push({
          name: "size matches manifest",
          ok: false,
          detail: `the backup is ${formatBytes(bytes)} but its manifest records ${formatBytes(m.size)}: the file was cut off or replaced`,
        });
      if (m.sha256 !== sha256)
        problems.push({
          name: "sha256 matches manifest",
          ok: false,
          detail: `sha256 is ${sha256} but the manifest records ${m.sha256}: the bytes changed after the backup was made (corrupted or replaced)`,
        });
      if (m.format !== input.format)
        problems.push({
          name: "format matches manifest",
          ok: false,
          detail: `checked as ${input.format} but the manifest says ${m.format}`,
        });
      if (trust.trusted) {
        if (m.size === bytes)
          checks.push({
            name: "size matches manifest",
            ok: true,
            detail: `${bytes.toLocaleString("en-US")} bytes, as recorded`,
          });
        if (m.sha256 === sha256)
          checks.push({ name: "sha256 matches manifest", ok: true, detail: `sha256 ${sha256} (${trust.note})` });
      } else {
        checks.push({
          name: "manifest not trusted",
          ok: true,
          detail: `${trust.note}${problems.length === 0 ? "; its size and sha256 agree with the backup, which proves nothing" : ""}`,
        });
      }
      checks.push(...problems);
    }
    if (check) {
      signal?.throwIfAborted();
      checks.push(...(await check.finish(bytes)));
    }
    signal?.throwIfAborted();
    return {
      ok: checks.every((c) => c.ok),
      checks,
      sha256,
      bytes,
      durationMs: Math.round(performance.now() - started),
      summary: summarize(checks, input.format, bytes, trust),
    };
  } catch (e) {
    check?.abort();
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!source.destroyed) source.destroy();
  }
}
