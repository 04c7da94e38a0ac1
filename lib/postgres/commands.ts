import path from "node:path";

// Pure argv builders for the PostgreSQL client tools. Every builder returns the full argv
// (argv[0] is the binary), ready for execa(argv[0], argv.slice(1)) and for showing to the
// operator before it runs. Connection details other than the database name travel in the
// child's environment (connection.ts), and the password never appears here.

export type PgTool = "pg_dump" | "pg_restore" | "psql";

/** argv[0] is the program; the rest are its arguments. */
export type Argv = readonly [string, ...string[]];

export type BinOptions = {
  /** Directory holding the client tools (e.g. /usr/lib/postgresql/16/bin); default: PATH. */
  binDir?: string;
};

export function pgBinary(tool: PgTool, binDir?: string): string {
  return binDir ? path.join(binDir, tool) : tool;
}

/**
 * The value for --dbname. libpq reads a --dbname that contains "=" or starts with a
 * postgres:// URI as a connection string, so such a name is wrapped as dbname='…' to be taken
 * literally (a database called "host=evil" must not redirect the connection).
 */
export function dbnameArg(database: string): string {
  if (database.includes("=") || /^postgres(ql)?:\/\//i.test(database)) {
    return `dbname='${database.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  }
  return database;
}

function checkDatabase(database: string): void {
  if (database === "") throw new Error("a database name is required");
  if (database.includes("\u0000")) throw new Error("a database name cannot contain NUL");
}

function checkPath(label: string, file: string): void {
  if (file === "") throw new Error(`${label} cannot be empty`);
  if (file.includes("\u0000")) throw new Error(`${label} cannot contain NUL`);
}

function checkJobs(jobs: number): void {
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new Error("jobs must be an integer from 1 to 64");
}

export type PgDumpOptions = BinOptions & {
  format: "custom" | "plain";
  database: string;
  /** Output file; default: stdout (Lifeboat streams it to storage). */
  file?: string;
  /** 0–9 for the custom format (pg_dump's default when absent). */
  compress?: number;
  /** A snapshot exported with pg_export_snapshot(), so that other reads see the same data. */
  snapshot?: string;
  schemaOnly?: boolean;
  /** Give up when a table lock cannot be had within this many milliseconds. */
  lockWaitTimeoutMs?: number;
  verbose?: boolean;
};

export function pgDumpArgs(opts: PgDumpOptions): Argv {
  checkDatabase(opts.database);
  const args: string[] = [`--format=${opts.format}`, "--no-password"];
  if (opts.compress !== undefined) {
    if (opts.format !== "custom")
      throw new Error("compress applies to the custom format only (plain is gzipped by Lifeboat)");
    if (!Number.isInteger(opts.compress) || opts.compress < 0 || opts.compress > 9) {
      throw new Error("compress must be an integer from 0 to 9");
    }
    args.push(`--compress=${opts.compress}`);
  }
  if (opts.snapshot !== undefined) {
    if (!/^[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9]+)?$/.test(opts.snapshot)) throw new Error("not a snapshot id");
    args.push(`--snapshot=${opts.snapshot}`);
  }
  if (opts.lockWaitTimeoutMs !== undefined) {
    if (!Number.isInteger(opts.lockWaitTimeoutMs) || opts.lockWaitTimeoutMs < 1) {
      throw new Error("lockWaitTimeoutMs must be a positive integer");
    }
    args.push(`--lock-wait-timeout=${opts.lockWaitTimeoutMs}`);
  }
  if (opts.schemaOnly) args.push("--schema-only");
  if (opts.verbose) args.push("--verbose");
  if (opts.file !== undefined) {
    checkPath("file", opts.file);
    args.push(`--file=${opts.file}`);
  }
  args.push(`--dbname=${dbnameArg(opts.database)}`);
  return [pgBinary("pg_dump", opts.binDir), ...args];
}

export type PgRestoreListOptions = BinOptions & {
  /** Archive to read; default: stdin. */
  file?: string;
};

/** Prints the archive's table of contents; reading it validates the header and the TOC. */
export function pgRestoreListArgs(opts: PgRestoreListOptions = {}): Argv {
  const args = ["--list"];
  if (opts.file !== undefined) {
    checkPath("file", opts.file);
    args.push("--", opts.file);
  }
  return [pgBinary("pg_restore", opts.binDir), ...args];
}

export type PgRestoreOptions = BinOptions & {
  /** Archive to read; default: stdin. */
  file?: string;
  /** Restore into this database. Mutually exclusive with `outputFile`. */
  dbname?: string;
  /** Write the SQL script here instead of restoring (e.g. /dev/null to read every data block). */
  outputFile?: string;
  clean?: boolean;
  ifExists?: boolean;
  // No --no-owner / --no-acl: a restore brings back owners and grants as they were (the roles
  // must exist on the target server; the restore checks that first).
  exitOnError?: boolean;
  /** Parallel jobs; needs a seekable archive file and a database target. */
  jobs?: number;
  singleTransaction?: boolean;
  verbose?: boolean;
  /** Only the schema: pre- and post-data, owners and grants; no table data, no sequence values. */
  schemaOnly?: boolean;
};

export function pgRestoreArgs(opts: PgRestoreOptions): Argv {
  const args: string[] = [];
  if ((opts.dbname === undefined) === (opts.outputFile === undefined)) {
    // Without either, pg_restore prints the whole script to stdout: never what was meant.
    throw new Error("pg_restore needs exactly one of dbname (restore) or outputFile (script)");
  }
  if (opts.ifExists && !opts.clean) throw new Error("ifExists only applies with clean");
  if (opts.clean) args.push("--clean");
  if (opts.ifExists) args.push("--if-exists");
  if (opts.exitOnError) args.push("--exit-on-error");
  if (opts.singleTransaction) {
    if (opts.jobs !== undefined && opts.jobs > 1) throw new Error("singleTransaction cannot be combined with jobs");
    args.push("--single-transaction");
  }
  if (opts.jobs !== undefined) {
    checkJobs(opts.jobs);
    if (opts.jobs > 1 && opts.file === undefined)
      throw new Error("parallel restore (jobs > 1) needs an archive file, not stdin");
    if (opts.jobs > 1 && opts.dbname === undefined) throw new Error("parallel restore (jobs > 1) needs a database");
    args.push(`--jobs=${opts.jobs}`);
  }
  if (opts.verbose) args.push("--verbose");
  if (opts.schemaOnly) args.push("--schema-only");
  if (opts.dbname !== undefined) {
    checkDatabase(opts.dbname);
    args.push("--no-password", `--dbname=${dbnameArg(opts.dbname)}`);
  }
  if (opts.outputFile !== undefined) {
    checkPath("outputFile", opts.outputFile);
    args.push(`--file=${opts.outputFile}`);
  }
  if (opts.file !== undefined) {
    checkPath("file", opts.file);
    args.push("--", opts.file);
  }
  return [pgBinary("pg_restore", opts.binDir), ...args];
}

export type PsqlOptions = BinOptions & {
  database: string;
  /** Run this SQL file (exactly one of file / command). */
  file?: string;
  /** Run this SQL (exactly one of file / command); several run in order. */
  command?: string | readonly string[];
  /** Stop at the first error and exit non-zero. Lifeboat never runs psql without it. */
  onErrorStop: true;
  /** Output as CSV without headers or footers (for parsing). */
  csv?: boolean;
  /** Run a file inside one transaction (all or nothing). */
  singleTransaction?: boolean;
  /** Extra psql variables (-v NAME=VALUE), e.g. { scale: "1" }. */
  variables?: Record<string, string>;
  quiet?: boolean;
};

export function psqlArgs(opts: PsqlOptions): Argv {
  checkDatabase(opts.database);
  const commands =
    opts.command === undefined ? [] : typeof opts.command === "string" ? [opts.command] : [...opts.command];
  if ((opts.file === undefined) === (commands.length === 0)) {
    throw new Error("psql needs exactly one of file or command");
  }
  // -X: ignore ~/.psqlrc, whose settings would change what runs and what is printed.
  const args: string[] = ["-X", "--no-password", "--set=ON_ERROR_STOP=1"];
  if (opts.onErrorStop !== true) throw new Error("psql runs with ON_ERROR_STOP");
  if (opts.quiet ?? true) args.push("--quiet");
  if (opts.csv) args.push("--csv", "--tuples-only");
  if (opts.singleTransaction) args.push("--single-transaction");
  for (const [name, value] of Object.entries(opts.variables ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a psql variable name: ${name}`);
    if (value.includes("\u0000")) throw new Error("a psql variable cannot contain NUL");
    args.push(`--set=${name}=${value}`);
  }
  for (const c of commands) {
    if (c.trim() === "") throw new Error("an empty psql command");
    if (c.includes("\u0000")) throw new Error("a psql command cannot contain NUL");
    args.push(`--command=${c}`);
  }
  if (opts.file !== undefined) {
    checkPath("file", opts.file);
    args.push(`--file=${opts.file}`);
  }
  args.push(`--dbname=${dbnameArg(opts.database)}`);
  return [pgBinary("psql", opts.binDir), ...args];
}

/** Version query for any of the tools: `pg_dump --version`. */
export function versionArgs(tool: PgTool, opts: BinOptions = {}): Argv {
  return [pgBinary(tool, opts.binDir), "--version"];
}

const SECRET_NAME = /pass(word|wd)?|secret|token|api[-_]?key|credential/i;

/**
 * argv for display: masks the value of any password-like option and any password in a
 * connection string. Lifeboat never puts one there; this is the second line of defence.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const arg of argv) {
    if (maskNext) {
      out.push("********");
      maskNext = false;
      continue;
    }
    // --password=x, --set=PGPASSWORD=x, PGPASSWORD=x
    const eq = /^(-{0,2}[^=\s]*?)(=)(.*)$/s.exec(arg);
    if (eq && SECRET_NAME.test(eq[1] ?? "")) {
      out.push(`${eq[1]}=********`);
      continue;
    }
    if (eq && /^--(set|variable)$/.test(eq[1] ?? "")) {
      const inner = /^([^=]*)=(.*)$/s.exec(eq[3] ?? "");
      if (inner && SECRET_NAME.test(inner[1] ?? "")) {
        out.push(`${eq[1]}=${inner[1]}=********`);
        continue;
      }
    }
    // A password option whose value is the next argument (not `-W`, which takes none).
    if (/^--?[A-Za-z-]*pass(word|wd)?$/i.test(arg) && arg !== "-W" && arg !== "--password") {
      out.push(arg);
      maskNext = true;
      continue;
    }
    out.push(redactConnectionString(arg));
  }
  return out;
}

function redactConnectionString(arg: string): string {
  // postgres://user:secret@host/db
  let s = arg.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)([^@\s]*)(@)/gi, "$1********$3");
  // key=value connection strings: password=secret or password='se cret'
  s = s.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]+)/gi, "$1********");
  return s;
}

/** One line for the step log and the confirmation screen; arguments quoted for a POSIX shell. */
export function formatArgv(argv: readonly string[]): string {
  return redactArgv(argv)
    .map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}

/** psql's list of backslash commands (`psql --help=commands`); needs no server. */
export function psqlHelpCommandsArgs(opts: BinOptions = {}): Argv {
  return [pgBinary("psql", opts.binDir), "--help=commands"];
}

// The minor releases that added psql's \restrict (CVE-2025-8714): from them on, pg_dump
// writes `\restrict KEY` first and psql refuses every other meta-command until `\unrestrict KEY`.
const RESTRICT_SINCE: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };

/** Whether a psql of this version ("15.18", "17.6", "18beta1") should know \restrict. */
export function versionHasRestrict(version: string): boolean {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!m?.[1]) return false;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  if (major >= 18) return true;
  const since = RESTRICT_SINCE[major];
  return since !== undefined && minor >= since;
}
