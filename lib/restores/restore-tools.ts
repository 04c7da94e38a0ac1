import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { execa } from "execa";
import { UserError } from "@/lib/errors";
import { pgRestoreArgs, pgRestoreListArgs, psqlArgs, type Argv, type BinOptions } from "@/lib/postgres/commands";
import { maskSecret, pgEnv, type PgConnection } from "@/lib/postgres/connection";
import { explainPgFailure, missingToolError, PgCommandError, spawnFailure } from "@/lib/postgres/run";
import { meter } from "./files";
import { PsqlScriptGuard, UnsafeSqlError } from "./sql-safety";
import { minimalChildEnv } from "@/lib/env";
import { executable } from "@/lib/postgres/executable";

// Running the restore itself: pg_restore for archives (custom, tar) and psql for plain SQL,
// which is streamed through PsqlScriptGuard (and gunzip) on its way to psql's stdin.

export type ToolLog = (text: string, stream?: "info" | "stdout" | "stderr" | "error") => void;

const STDERR_KEEP = 64 * 1024;

/** Keeps the end of a child's stderr and hands complete lines to `onLine`. */
function stderrCollector(onLine: (line: string) => void) {
  let kept = "";
  let partial = "";
  return {
    push(d: string) {
      kept = (kept + d).slice(-STDERR_KEEP);
      const parts = (partial + d).split("\n");
      partial = parts.pop() ?? "";
      for (const l of parts) if (l.trim() !== "") onLine(l);
    },
    end() {
      if (partial.trim() !== "") onLine(partial);
      partial = "";
    },
    text: () => kept,
  };
}

/** Why a restore failed, in words an operator can act on. */
export function explainRestoreFailure(
  tool: "pg_restore" | "psql",
  conn: PgConnection,
  stderr: string,
  exitCode: number | null,
): Error {
  const text = maskSecret(stderr, conn);
  const role = /role "([^"]+)" does not exist/.exec(text)?.[1];
  if (role !== undefined && !/FATAL/.test(text)) {
    return new UserError(
      `the dump gives objects or grants to the role ${role}, which does not exist on this server: create it first (CREATE ROLE ${role} NOLOGIN, and GRANT it to the restoring role when it owns objects), then run the restore again`,
    );
  }
  const err = explainPgFailure(tool, conn, stderr, exitCode);
  if (err instanceof PgCommandError) {
    const first = text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => /ERROR|error:|FATAL/.test(l));
    return new PgCommandError(
      tool,
      exitCode,
      err.stderr,
      `${tool} stopped at the first error${first ? `: ${first}` : ""}`,
      err.sqlstate,
    );
  }
  return err;
}

export type ArchiveRestore = BinOptions & {
  conn: PgConnection;
  file: string;
  jobs?: number;
  singleTransaction?: boolean;
  /** Tables with data, when known (the manifest's); else read from the archive alongside the restore. */
  tables?: number | null;
};

export function archiveRestoreArgv(o: Omit<ArchiveRestore, "conn"> & { database: string }): Argv {
  return pgRestoreArgs({
    dbname: o.database,
    file: o.file,
    // Owners and grants as they were: the safety step checked that every role exists.
    exitOnError: true,
    verbose: true,
    jobs: o.jobs !== undefined && o.jobs > 1 ? o.jobs : undefined,
    singleTransaction: o.singleTransaction,
    binDir: o.binDir,
  });
}

/** How many TABLE DATA entries the archive has (for progress); null when it cannot be read. */
async function countDataEntries(file: string, bin: BinOptions): Promise<number | null> {
  const [bin0, ...args] = pgRestoreListArgs({ file, binDir: bin.binDir });
  const r = await execa(executable(bin0), args, {
    reject: false,
    stdin: "ignore",
    env: { ...minimalChildEnv(), LC_ALL: undefined, LC_MESSAGES: "C" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.exitCode !== 0 || typeof r.stdout !== "string") return null;
  return r.stdout.split("\n").filter((l) => /^\d+; \d+ \d+ TABLE DATA /.test(l)).length;
}

/** pg_restore --exit-on-error (owners and grants included) into `conn`'s database, with progress in tables. */
export async function restoreArchive(
  o: ArchiveRestore,
  log: ToolLog,
  progress: (done: number, total: number | null) => void,
  signal?: AbortSignal,
): Promise<{ tablesWithData: number; durationMs: number }> {
  const started = performance.now();
  const argv = archiveRestoreArgv({ ...o, database: o.conn.database });
  const [file, ...args] = argv;
  let total: number | null = o.tables ?? null;
  let done = 0;
  let finished = false;
  if (total === null) {
    // Read alongside the restore, so it adds no time.
    void countDataEntries(o.file, o).then((n) => {
      total = n;
      if (!finished) progress(done, total);
    });
  }
  const { env, cleanup } = await pgEnv(o.conn, { binDir: o.binDir });
  try {
    const child = execa(executable(file), args, {
      env,
      extendEnv: true,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
      buffer: false,
      reject: false,
      cancelSignal: signal,
    });
    const err = stderrCollector((line) => {
      const data = /processing data for table "(.*)"$/.exec(line);
      if (data) {
        done++;
        progress(done, total);
        log(`restoring data of ${data[1]}`, "info");
      } else if (/error|warning|ERROR|WARNING|FATAL|Command was/.test(line)) {
        log(maskSecret(line, o.conn), "stderr");
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => err.push(d));
    const r = await child;
    err.end();
    if (r.isCanceled) throw new UserError("the restore was cancelled", 499);
    if (r.exitCode === undefined) {
      if (r.code === "ENOENT" || r.code === "EACCES") throw missingToolError("pg_restore", o.binDir);
      throw new PgCommandError("pg_restore", null, "", `pg_restore could not run: ${spawnFailure(r.shortMessage)}`);
    }
    if (r.exitCode !== 0) throw explainRestoreFailure("pg_restore", o.conn, err.text(), r.exitCode);
    progress(done, total ?? done);
    return { tablesWithData: done, durationMs: Math.round(performance.now() - started) };
  } finally {
    finished = true;
    await cleanup();
  }
}

export type PlainRestore = BinOptions & {
  conn: PgConnection;
  file: string;
  format: "plain" | "plain_gzip";
  /** Run the script in psql's restricted mode (\restrict with a key of this run's own). */
  restricted: boolean;
};

export function plainRestoreArgv(o: BinOptions & { database: string }): Argv {
  return psqlArgs({
    database: o.database,
    file: "-",
    onErrorStop: true,
    variables: { VERBOSITY: "verbose" },
    binDir: o.binDir,
  });
}

/**
 * psql -X ON_ERROR_STOP=1, the script on stdin between our own BEGIN and COMMIT: file → (gunzip) →
 * PsqlScriptGuard (scan again, drop pg_dump's \restrict lines, add our own) → psql.
 * Progress in bytes of the file.
 */
export async function restorePlain(
  o: PlainRestore,
  log: ToolLog,
  progress: (done: number, total: number | null) => void,
  signal?: AbortSignal,
): Promise<{ bytes: number; statements: number; copyBlocks: number; restricted: boolean; durationMs: number }> {
  const started = performance.now();
  const size = (await fs.stat(o.file)).size;
  const [file, ...args] = plainRestoreArgv({ database: o.conn.database, binDir: o.binDir });
  const guard = new PsqlScriptGuard(o.restricted ? { restrictKey: randomBytes(24).toString("hex") } : {});
  const m = meter((b) => progress(b, size));
  const { env, cleanup } = await pgEnv(o.conn, { binDir: o.binDir });
  try {
    const child = execa(executable(file), args, {
      env,
      extendEnv: true,
      stdin: "pipe",
      stdout: "ignore", // pg_dump's SELECT set_config(…) lines print results nobody needs
      stderr: "pipe",
      buffer: false,
      reject: false,
      cancelSignal: signal,
    });
    const err = stderrCollector((line) => log(maskSecret(line, o.conn), "stderr"));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => err.push(d));
    child.stdin.on("error", () => {
      // psql stopped reading (it hit an error): its exit code and stderr say why.
    });
    const stages = o.format === "plain_gzip" ? [zlib.createGunzip()] : [];
    // psql's stdin is ended only after the whole script went through: when anything fails
    // on the way (damaged gzip, an unsafe line, cancel), psql is killed before it sees an
    // end of input, which it would take as the end of the script and COMMIT.
    const stdin = child.stdin;
    // Our own BEGIN, and COMMIT only once the whole script went through (final below): psql
    // --single-transaction would COMMIT at any end of input, also the one a killed console
    // leaves, and commit a truncated script. Without COMMIT the server rolls back.
    stdin.write("BEGIN;\n");
    const forward = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (stdin.destroyed) return cb(new Error("psql stopped reading"));
        if (stdin.write(chunk)) return cb();
        const done = (e?: Error) => {
          stdin.off("drain", onDrain);
          stdin.off("close", onClose);
          cb(e);
        };
        const onDrain = () => done();
        const onClose = () => done(new Error("psql stopped reading"));
        stdin.on("drain", onDrain);
        stdin.on("close", onClose);
      },
      final(cb) {
        stdin.end("\nCOMMIT;\n", cb);
      },
    });
    let feedError: unknown = null;
    try {
      await pipeline([createReadStream(o.file), m, ...stages, guard, forward], { signal });
    } catch (e) {
      feedError = e;
      // Without the rest of the script psql must not commit what it has: stop it.
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    const r = await child;
    err.end();
    if (feedError instanceof UnsafeSqlError) throw feedError;
    if (r.isCanceled || signal?.aborted) throw new UserError("the restore was cancelled", 499);
    if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES"))
      throw missingToolError("psql", o.binDir);
    if (r.exitCode !== 0) {
      const stderr = err.text();
      if (stderr.trim() === "" && feedError instanceof Error) {
        throw new UserError(`the dump could not be read to the end (${feedError.message}): nothing was committed`);
      }
      throw explainRestoreFailure("psql", o.conn, stderr, r.exitCode ?? null);
    }
    if (feedError !== null) throw feedError;
    progress(size, size);
    return {
      bytes: m.bytes(),
      statements: guard.scanner.statements,
      copyBlocks: guard.scanner.copyBlocks,
      restricted: o.restricted,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await cleanup();
  }
}
