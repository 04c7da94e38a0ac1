import { randomBytes } from "node:crypto";
import { execa } from "execa";
import {
  dbnameArg,
  psqlArgs,
  psqlHelpCommandsArgs,
  pgBinary,
  versionArgs,
  versionHasRestrict,
  type Argv,
  type BinOptions,
  type PgTool,
} from "./commands";
import {
  describeConnection,
  describeServer,
  maskSecret,
  pgConnectionSchema,
  pgEnv,
  withPgEnv,
  type ChildEnv,
  type PgConnection,
} from "./connection";
import { PgCommandError, PgError, type PgErrorCode } from "./errors";
import { DEFAULT_HEAD_SOURCE, headQuerySql, type HeadSource } from "./head-query";
import { minimalChildEnv } from "@/lib/env";
import { executable } from "@/lib/postgres/executable";

// Callers used to import the error class from here.
export { PgCommandError };

// Runners for psql / pg_dump / pg_restore. Children get argv arrays (no shell) and the
// environment from connection.ts; stderr is captured and turned into a message that says
// what to fix, with the password masked out of anything shown.

const MAX_STDERR_IN_MESSAGE = 600;

function lastLines(text: string, max = MAX_STDERR_IN_MESSAGE): string {
  const t = text.trim();
  return t.length <= max ? t : "…" + t.slice(t.length - max);
}

/** SQLSTATE from psql's VERBOSITY=verbose output ("ERROR:  42P01: relation …"). */
export function sqlstateOf(stderr: string): string | null {
  return /(?:ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}):/.exec(stderr)?.[1] ?? null;
}

// A name the server quotes may itself contain quotes (`database "we"ird" does not exist`):
// the match runs to the last quote before the fixed end of the line.
const quotedOnLine = (text: string, before: string, after: string) =>
  new RegExp(`${before} "(.*)"${after ? ` ${after}` : ""}\\s*$`, "m").exec(text)?.[1];

/**
 * Turns a failed client tool's stderr into an error: a PgError with a code (safe to show, says
 * what to fix) when the cause is one the operator can act on, else a PgCommandError. Every
 * failure to connect is a PgError. The password is masked out of both.
 */
export function explainPgFailure(
  tool: PgTool,
  conn: PgConnection,
  stderr: string,
  exitCode: number | null,
): PgError | PgCommandError {
  const text = maskSecret(stderr, conn);
  const server = describeServer(conn);
  const sqlstate = sqlstateOf(text);
  const fail = (code: PgErrorCode, message: string, subject: string | null = null) =>
    new PgError(code, message, tool, sqlstate, subject);

  const badPasswordUser = quotedOnLine(text, "password authentication failed for user", "");
  if (badPasswordUser !== undefined || /password authentication failed/.test(text)) {
    return fail(
      "auth_failed",
      `password authentication failed for user ${badPasswordUser ?? conn.user}: check the database's password in Settings → Databases`,
    );
  }
  if (/no password supplied|fe_sendauth: no password/.test(text)) {
    return fail(
      "password_missing",
      `the server at ${server} wants a password for user ${conn.user} and none is set: add it in Settings → Databases`,
    );
  }
  const noDatabase = quotedOnLine(text, "database", "does not exist");
  if (noDatabase !== undefined) {
    return fail(
      "database_missing",
      `database ${noDatabase} does not exist on ${server}: check the database name in Settings → Databases`,
      noDatabase,
    );
  }
  const noRole = quotedOnLine(text, "role", "does not exist");
  if (noRole !== undefined && /FATAL/.test(text)) {
    return fail(
      "role_missing",
      `role ${noRole} does not exist on ${server}: check the user name in Settings → Databases`,
      noRole,
    );
  }
  if (/no pg_hba\.conf entry/.test(text)) {
    return fail(
      "host_rejected",
      `the server at ${server} does not accept connections from this host for user ${conn.user} (pg_hba.conf): ask its administrator to allow it`,
    );
  }
  const tlsMode = conn.sslmode ?? "prefer";
  if (/server does not support SSL, but SSL was required/.test(text)) {
    return fail(
      "ssl_failed",
      `the server at ${server} does not accept TLS, but this database's TLS mode is ${tlsMode}: turn on ssl on the server, or, only on a trusted network, choose another TLS mode in Settings → Databases`,
    );
  }
  if (/root certificate file .* does not exist/.test(text)) {
    return fail(
      "ssl_failed",
      `the TLS mode is ${tlsMode}, which checks the server's certificate, but no CA certificate is set: paste the certificate of the CA that signed ${server}'s certificate in Settings → Databases (CA certificate)`,
    );
  }
  if (/server certificate for .* does not match host name|does not match host name/.test(text)) {
    const line = /(server certificate for [^\n]*)/.exec(text)?.[1]?.trim();
    return fail(
      "ssl_failed",
      `the certificate of ${server} is not for that host name${line ? ` (${line})` : ""}: connect by a name the certificate lists (Settings → Databases → Host), or choose verify-ca there to check only the CA`,
    );
  }
  if (/certificate verify failed/.test(text)) {
    return fail(
      "ssl_failed",
      `the certificate of ${server} is not signed by ${conn.sslrootcert ? "the CA certificate set for this database" : "a CA in the console user's ~/.postgresql/root.crt"} (TLS mode ${tlsMode}): paste the right CA certificate in Settings → Databases, or check that this is the server you meant`,
    );
  }
  if (/SSL (?:error|SYSCALL)|server certificate|root certificate/.test(text)) {
    const line = /((?:SSL error|SSL SYSCALL|server certificate|root certificate)[^\n]*)/.exec(text)?.[1]?.trim();
    return fail(
      "ssl_failed",
      `the TLS connection to ${server} failed${line ? ` (${line})` : ""}: check the TLS mode and the CA certificate in Settings → Databases, and the server's certificate`,
    );
  }
  if (/could not translate host name/.test(text)) {
    return fail(
      "host_not_found",
      `could not connect to server at ${server}: the host name does not resolve (DNS); check the host in Settings → Databases`,
    );
  }
  if (
    /server closed the connection unexpectedly|terminating connection due to administrator command|connection to server was lost/.test(
      text,
    )
  ) {
    return fail(
      "connection_lost",
      `the server at ${server} closed the connection while ${tool} was working (it may have restarted, or an administrator ended the session): check the server's log and try again`,
    );
  }
  if (/too many connections|remaining connection slots are reserved/.test(text)) {
    return fail(
      "too_many_connections",
      `the server at ${server} has no free connection slots: try again shortly, or raise max_connections`,
    );
  }
  const unavailable =
    /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections|not accepting connections)/.exec(
      text,
    );
  if (unavailable) {
    return fail(
      "server_unavailable",
      `could not connect to server at ${server}: is it running and reachable? (the database system is ${unavailable[1]}): wait until it accepts connections, then try again`,
    );
  }
  if (/Connection refused/.test(text)) {
    return fail(
      "connection_refused",
      `could not connect to server at ${server}: is it running and reachable? (Connection refused): check the host and port in Settings → Databases`,
    );
  }
  const timeout = /(timeout expired|Network is unreachable|No route to host|Connection timed out)/.exec(text)?.[1];
  if (timeout !== undefined) {
    return fail(
      "connect_timeout",
      `could not connect to server at ${server}: is it running and reachable? (${timeout}): check the host, the port and any firewall in between`,
    );
  }
  const versionMismatch = /server version: ([^;\n]+); ([a-z_]+) version: ([^\n]+)/.exec(text);
  if (versionMismatch && /version mismatch/.test(text)) {
    return fail(
      "version_mismatch",
      `${tool} ${versionMismatch[3]?.trim()} is older than the server (${versionMismatch[1]?.trim()}): install PostgreSQL client tools of at least the server's major version and set their directory in Settings`,
    );
  }
  const permission = /permission denied for ([a-z ]+ [^\n]+)/.exec(text)?.[1];
  if (permission !== undefined) {
    return fail(
      "permission_denied",
      `user ${conn.user} may not read everything it needs on ${describeConnection(conn)}: permission denied for ${permission}`,
    );
  }
  // Any other failure to connect or log in (libpq's "connection to server … failed: …", or a
  // FATAL before the first query): the server's own words name the cause.
  const connectFailure =
    /connection to server (?:at|on) .*? failed: (?:FATAL:\s+(?:[0-9A-Z]{5}:\s+)?)?([^\n]+)/.exec(text)?.[1] ??
    /could not connect to server: ([^\n]+)/.exec(text)?.[1] ??
    (/^(?:psql|pg_dump|pg_restore): error:/m.test(text)
      ? /FATAL:\s+(?:[0-9A-Z]{5}:\s+)?([^\n]+)/.exec(text)?.[1]
      : undefined);
  if (connectFailure !== undefined) {
    return fail(
      "connection_failed",
      `could not connect to ${describeConnection(conn)}: ${connectFailure.trim()}. Check the connection in Settings → Databases and the server's log`,
    );
  }
  const detail = lastLines(text) || "(no message)";
  return new PgCommandError(
    tool,
    exitCode,
    text,
    `${tool} failed${exitCode === null ? "" : ` (exit ${exitCode})`} on ${describeConnection(conn)}: ${detail}`,
    sqlstate,
  );
}

/** The binary is missing or not executable. */
export function missingToolError(tool: PgTool, binDir?: string): PgError {
  return new PgError(
    "tool_missing",
    binDir
      ? `${tool} was not found in ${binDir}: check the PostgreSQL bin directory in Settings`
      : `${tool} was not found on PATH: install the PostgreSQL client tools (Debian: apt-get install postgresql-client)`,
    tool,
  );
}

function cancelledError(tool: PgTool): PgError {
  return new PgError("cancelled", `${tool} was cancelled`, tool);
}

function timeoutError(tool: PgTool, conn: PgConnection, timeoutMs: number | undefined): PgError {
  return new PgError(
    "timeout",
    `${tool} did not finish within ${Math.round((timeoutMs ?? 0) / 1000)} s on ${describeConnection(conn)}: try again, or check what keeps the server busy`,
    tool,
  );
}

export type RunOptions = BinOptions & { signal?: AbortSignal; timeoutMs?: number };

type ToolResult = { stdout: string; stderr: string };

/**
 * Why a child could not start, for people: execa's message repeats the whole command line, which
 * can be hundreds of kilobytes (the very reason for E2BIG); cut to its start.
 */
export function spawnFailure(message: string | undefined): string {
  if (!message) return "no message";
  return message.length > 400
    ? `${message.slice(0, 400)}… (${message.length.toLocaleString("en-US")} characters)`
    : message;
}

/** Runs a client tool to completion with the connection's environment; throws an explained error. */
export async function runPgTool(
  tool: PgTool,
  conn: PgConnection,
  argv: Argv,
  opts: RunOptions & { env?: ChildEnv } = {},
): Promise<ToolResult> {
  const [file, ...args] = argv;
  const run = async (env: ChildEnv) => {
    const r = await execa(executable(file), args, {
      env,
      extendEnv: true,
      stdin: "ignore",
      reject: false,
      stripFinalNewline: false,
      cancelSignal: opts.signal,
      timeout: opts.timeoutMs,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.isCanceled) throw cancelledError(tool);
    if (r.timedOut) throw timeoutError(tool, conn, opts.timeoutMs);
    if (r.exitCode === undefined) {
      if (r.code === "ENOENT" || r.code === "EACCES") throw missingToolError(tool, opts.binDir);
      throw new PgCommandError(
        tool,
        null,
        "",
        `${tool} could not run: ${maskSecret(spawnFailure(r.shortMessage), conn)}`,
      );
    }
    const stdout = typeof r.stdout === "string" ? r.stdout : "";
    const stderr = typeof r.stderr === "string" ? r.stderr : "";
    if (r.exitCode !== 0) throw explainPgFailure(tool, conn, stderr, r.exitCode);
    return { stdout, stderr };
  };
  return opts.env ? run(opts.env) : withPgEnv(conn, run);
}

/**
 * Parses psql --csv output (RFC 4180: quoted fields, doubled quotes, newlines inside quotes).
 * psql prints NULL and the empty string alike (an empty field).
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c === '"') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
      fieldStarted = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      fieldStarted = false;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new Error("psql output ends inside a quoted field");
  if (fieldStarted || field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** "name" with embedded quotes doubled: correct for any identifier (spaces, quotes, unicode). */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new Error("an identifier cannot contain NUL");
  return `"${name.replace(/"/g, '""')}"`;
}

/** 'text' with embedded quotes doubled (standard_conforming_strings is on since 9.1). */
export function quoteLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("a literal cannot contain NUL");
  return `'${value.replace(/'/g, "''")}'`;
}

export type QueryOptions = RunOptions & {
  /** Read inside a REPEATABLE READ transaction that imports this exported snapshot. */
  snapshot?: string;
  /** Run inside a READ ONLY transaction with this statement timeout (SQL an admin typed). */
  readOnlyTimeoutMs?: number;
};

/**
 * Runs SQL with psql (-X, ON_ERROR_STOP, CSV without headers) and returns the rows of the last
 * result as strings. NULL comes back as "" (psql prints both alike): coalesce where it matters.
 */
export async function runPsqlQuery(conn: PgConnection, sql: string, opts: QueryOptions = {}): Promise<string[][]> {
  const c = pgConnectionSchema.parse(conn);
  const timeout =
    opts.readOnlyTimeoutMs === undefined
      ? []
      : [`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(opts.readOnlyTimeoutMs))}`];
  const commands = opts.snapshot
    ? [
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        `SET TRANSACTION SNAPSHOT ${quoteLiteral(opts.snapshot)}`,
        ...timeout,
        sql,
        "COMMIT",
      ]
    : opts.readOnlyTimeoutMs !== undefined
      ? ["BEGIN READ ONLY", ...timeout, sql, "COMMIT"]
      : [sql];
  const argv = psqlArgs({
    database: c.database,
    command: commands,
    onErrorStop: true,
    csv: true,
    variables: { VERBOSITY: "verbose" },
    binDir: opts.binDir,
  });
  const { stdout } = await runPgTool("psql", c, argv, opts);
  return parseCsv(stdout);
}

/** One query and how its rows are read: what `runPsqlQueries` runs several of in one session. */
export type PsqlQuery<T> = {
  sql: string;
  read: (rows: string[][]) => T;
  /** Run inside its own READ ONLY transaction with this statement timeout. */
  readOnlyTimeoutMs?: number;
};

type Results<Q extends readonly PsqlQuery<unknown>[]> = { [K in keyof Q]: Q[K] extends PsqlQuery<infer R> ? R : never };

/** Runs one query (a PsqlQuery) on its own session. */
export async function runQuery<T>(conn: PgConnection, q: PsqlQuery<T>, opts: QueryOptions = {}): Promise<T> {
  const own = q.readOnlyTimeoutMs === undefined ? {} : { readOnlyTimeoutMs: q.readOnlyTimeoutMs };
  return q.read(await runPsqlQuery(conn, q.sql, { ...opts, ...own }));
}

function readOnlyCommands(sql: string, timeoutMs: number | undefined): string[] {
  if (timeoutMs === undefined) return [sql];
  return ["BEGIN READ ONLY", `SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`, sql, "COMMIT"];
}

/**
 * Runs several queries, one after the other, in ONE psql session (one connection instead of
 * one per query), and reads each one's rows. Each result is preceded by a marker row made of
 * random bytes no row of the database can know, so the results are told apart whatever they
 * hold. The first query that fails fails them all (ON_ERROR_STOP), with that query's error.
 */
export async function runPsqlQueries<const Q extends readonly PsqlQuery<unknown>[]>(
  conn: PgConnection,
  queries: Q,
  opts: RunOptions = {},
): Promise<Results<Q>> {
  if (queries.length === 0) return [] as unknown as Results<Q>;
  const c = pgConnectionSchema.parse(conn);
  const marker = `lifeboat-result-${randomBytes(12).toString("hex")}`;
  const argv = psqlArgs({
    database: c.database,
    command: queries.flatMap((q, i) => [`SELECT '${marker}-${i}'`, ...readOnlyCommands(q.sql, q.readOnlyTimeoutMs)]),
    onErrorStop: true,
    csv: true,
    variables: { VERBOSITY: "verbose" },
    binDir: opts.binDir,
  });
  const { stdout } = await runPgTool("psql", c, argv, opts);
  const parts: string[][][] = [];
  for (const row of parseCsv(stdout)) {
    if (row.length === 1 && row[0] === `${marker}-${parts.length}`) parts.push([]);
    else if (parts.length === 0) throw new PgCommandError("psql", 0, "", "unexpected output from psql");
    else parts[parts.length - 1]?.push(row);
  }
  if (parts.length !== queries.length)
    throw new PgCommandError("psql", 0, "", `psql printed ${parts.length} of ${queries.length} results`);
  return queries.map((q, i) => q.read(parts[i] ?? [])) as unknown as Results<Q>;
}

export const serverVersionQuery: PsqlQuery<string> = {
  sql: "SELECT current_setting('server_version')",
  read: (rows) => {
    const v = rows[0]?.[0]?.trim();
    if (!v) throw new PgCommandError("psql", 0, "", "the server did not report its version");
    return v.split(/\s+/)[0] ?? v;
  },
};

/** The server's version, e.g. "15.18" (without the distribution's suffix). */
export async function serverVersion(conn: PgConnection, opts: RunOptions = {}): Promise<string> {
  return runQuery(conn, serverVersionQuery, opts);
}

/** "15.18" from "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
export function parseToolVersion(output: string): string | null {
  return /\(PostgreSQL\)\s+(\d+(?:\.\d+)*(?:[a-z]+\d*)?)/.exec(output)?.[1] ?? null;
}

export async function pgDumpVersion(opts: BinOptions = {}): Promise<string> {
  const argv = versionArgs("pg_dump", opts);
  const [file, ...args] = argv;
  const r = await execa(executable(file), args, {
    reject: false,
    stdin: "ignore",
    timeout: 10_000,
    env: minimalChildEnv(),
  });
  if (r.exitCode === undefined) throw missingToolError("pg_dump", opts.binDir);
  const out = typeof r.stdout === "string" ? r.stdout : "";
  const v = r.exitCode === 0 ? parseToolVersion(out) : null;
  if (!v)
    throw new PgCommandError(
      "pg_dump",
      r.exitCode,
      "",
      `${pgBinary("pg_dump", opts.binDir)} --version printed no version: ${out.slice(0, 200)}`,
    );
  return v;
}

export type TableRowCount = { schema: string; name: string; rows: number };

// Ordinary tables and partitions (where rows live); partitioned parents, views, foreign
// tables and the system schemas are left out so each row is counted once.
const USER_TABLES_SQL = `
SELECT n.nspname, c.relname
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%'
  AND n.nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`;

type TableName = { schema: string; name: string };

const tableListQuery: PsqlQuery<TableName[]> = {
  sql: USER_TABLES_SQL,
  read: (rows) =>
    rows.map((r) => {
      const [schema, name] = r;
      if (schema === undefined || name === undefined)
        throw new PgCommandError("psql", 0, "", "unexpected table list from psql");
      return { schema, name };
    }),
};

/** count(*) of each table, in one statement (a parallel append over the tables); rows keep the list's order. */
function countsQuery(tables: readonly TableName[]): PsqlQuery<TableRowCount[]> {
  return {
    sql: tables
      .map((t, i) => `SELECT ${i}, count(*) FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)}`)
      .join("\nUNION ALL\n"),
    read: (rows) => {
      const counts = new Map<number, number>();
      for (const r of rows) {
        const i = Number(r[0]);
        const n = Number(r[1]);
        if (!Number.isSafeInteger(i) || !Number.isSafeInteger(n) || n < 0) {
          throw new PgCommandError("psql", 0, "", "unexpected row count from psql");
        }
        counts.set(i, n);
      }
      return tables.map((t, i) => {
        const rows = counts.get(i);
        if (rows === undefined) throw new PgCommandError("psql", 0, "", `no row count for ${t.schema}.${t.name}`);
        return { schema: t.schema, name: t.name, rows };
      });
    },
  };
}

/** Whether `sql` fits in one psql argument: Linux refuses one over 128 KiB (bytes, not characters). */
export function fitsOneArgument(sql: string): boolean {
  return Buffer.byteLength(sql, "utf8") <= 100_000;
}

const tableKey = (t: TableName) => `${t.schema}\u0000${t.name}`;

/**
 * Exact row counts (count(*)) of every user table, ordered by schema then name. Pass the
 * snapshot of a running pg_dump to count exactly what that dump contains.
 *
 * `likely`: the tables the database is expected to have (a manifest's, or the same database's
 * a moment ago). The list and their counts are then read in one session; when the database's
 * tables are not exactly those, they are counted again as listed, so the result never depends
 * on the guess.
 */
export async function tableRowCounts(
  conn: PgConnection,
  opts: QueryOptions = {},
  likely: readonly TableName[] = [],
): Promise<TableRowCount[]> {
  const plain = opts.snapshot === undefined && opts.readOnlyTimeoutMs === undefined;
  // A guess is only a guess: one that cannot be a table's name (NUL) is not tried.
  if (plain && likely.length > 0 && !likely.some((t) => `${t.schema}${t.name}`.includes("\u0000"))) {
    const guess = countsQuery(likely);
    if (fitsOneArgument(guess.sql)) {
      const both = await runPsqlQueries(conn, [tableListQuery, guess], opts).catch((e: unknown) => {
        // undefined_table, invalid_schema_name: a guessed table is not there; counted as listed below.
        if (e instanceof PgCommandError && (e.sqlstate === "42P01" || e.sqlstate === "3F000")) return null;
        throw e;
      });
      if (both) {
        const [listed, counted] = both;
        // Every table the database lists was counted (a guessed view or parent table counts no
        // listed table, and is left out).
        const byKey = new Map(counted.map((t) => [tableKey(t), t]));
        if (listed.every((t) => byKey.has(tableKey(t))))
          return listed.map((t) => byKey.get(tableKey(t)) as TableRowCount);
      }
    }
  }
  const tables = await runQuery(conn, tableListQuery, opts);
  if (tables.length === 0) return [];
  const counts = countsQuery(tables);
  if (plain && !fitsOneArgument(counts.sql)) return counts.read(await runPsqlScript(conn, `${counts.sql};\n`, opts));
  return counts.read(await runPsqlQuery(conn, counts.sql, opts));
}

const HEAD_QUERY_TIMEOUT_MS = 10_000;

/**
 * The application's migration head: the first column of the first row of the query Lifeboat
 * builds from the database's setting (names quoted, never an admin's SQL), or null when the
 * setting is "none" or the table (or column) does not exist or has no row. It runs read-only
 * with a timeout.
 */
export async function migrationHead(
  conn: PgConnection,
  source: HeadSource = DEFAULT_HEAD_SOURCE,
  opts: QueryOptions = {},
): Promise<string | null> {
  const q = migrationHeadQuery(source);
  if (q === null) return null;
  try {
    return await runQuery(conn, q, opts);
  } catch (e) {
    if (headMissing(e)) return null;
    throw e;
  }
}

/** The query migrationHead runs (null: the setting is "none"), read-only with a timeout. */
export function migrationHeadQuery(source: HeadSource = DEFAULT_HEAD_SOURCE): PsqlQuery<string | null> | null {
  const sql = headQuerySql(source);
  if (sql === null) return null;
  return {
    sql,
    readOnlyTimeoutMs: HEAD_QUERY_TIMEOUT_MS,
    read: (rows) => {
      const v = rows[0]?.[0];
      return v === undefined || v === "" ? null : v;
    },
  };
}

/** undefined_table, undefined_column, invalid_schema_name: the database has no such marker (the head is none). */
export function headMissing(e: unknown): boolean {
  return e instanceof PgCommandError && e.sqlstate !== null && ["42P01", "42703", "3F000"].includes(e.sqlstate);
}

export type ExportedSnapshot = {
  /** The id for pg_dump --snapshot and SET TRANSACTION SNAPSHOT. */
  snapshot: string;
  /** Ends the transaction that keeps the snapshot importable. Safe to call more than once. */
  release: () => Promise<void>;
};

/**
 * Opens a REPEATABLE READ transaction and exports its snapshot, keeping it open until
 * release(). pg_dump --snapshot and the row counts then see exactly the same data, so a
 * manifest's counts match the dump even while the application keeps writing.
 */
export async function exportSnapshot(conn: PgConnection, opts: RunOptions = {}): Promise<ExportedSnapshot> {
  const c = pgConnectionSchema.parse(conn);
  const { env, cleanup } = await pgEnv(c);
  const bin = pgBinary("psql", opts.binDir);
  const child = execa(
    executable(bin),
    [
      "-X",
      "--no-password",
      "--quiet",
      "--tuples-only",
      "--no-align",
      "--set=ON_ERROR_STOP=1",
      "--set=VERBOSITY=verbose",
      `--dbname=${dbnameArg(c.database)}`,
    ],
    {
      env,
      extendEnv: true,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      reject: false,
      buffer: { stdout: false },
      cancelSignal: opts.signal,
    },
  );
  child.stdin.on("error", () => {
    // psql exited (e.g. it could not connect); its exit code and stderr tell why.
  });
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    if (child.exitCode === null && !child.stdin.destroyed) child.stdin.end("COMMIT;\n\\q\n");
    const timer = setTimeout(() => child.kill(), 10_000);
    await child;
    clearTimeout(timer);
    await cleanup();
  };

  const snapshot = await new Promise<string | null>((resolve) => {
    let out = "";
    const timer = setTimeout(() => resolve(null), opts.timeoutMs ?? 30_000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      out += d;
      const m = /^([0-9A-F]+-[0-9A-F]+(?:-[0-9]+)?)$/m.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stdout.on("end", () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.stdin.write("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\nSELECT pg_export_snapshot();\n");
  });
  if (snapshot) {
    child.stdout.resume();
    return { snapshot, release };
  }
  released = true;
  child.kill();
  const r = await child;
  await cleanup();
  if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES"))
    throw missingToolError("psql", opts.binDir);
  const stderr = typeof r.stderr === "string" ? r.stderr : "";
  throw explainPgFailure("psql", c, stderr || "could not export a snapshot (timed out)", r.exitCode ?? null);
}

/** "15.18" from `<tool> --version`, for any of the client tools. */
export async function toolVersion(tool: PgTool, opts: BinOptions = {}): Promise<string> {
  const [file, ...args] = versionArgs(tool, opts);
  const r = await execa(executable(file), args, {
    reject: false,
    stdin: "ignore",
    timeout: 10_000,
    env: minimalChildEnv(),
  });
  if (r.exitCode === undefined) throw missingToolError(tool, opts.binDir);
  const out = typeof r.stdout === "string" ? r.stdout : "";
  const v = r.exitCode === 0 ? parseToolVersion(out) : null;
  if (!v)
    throw new PgCommandError(
      tool,
      r.exitCode ?? null,
      "",
      `${pgBinary(tool, opts.binDir)} --version printed no version: ${out.slice(0, 200)}`,
    );
  return v;
}

export type RestrictSupport = {
  psqlVersion: string;
  /** psql lists \restrict among its commands: it can run a script in restricted mode. */
  supported: boolean;
  /** Whether the version number alone says so (distributions backport fixes; the command list decides). */
  byVersion: boolean;
};

/**
 * Whether the local psql has `\restrict` (restricted mode: every meta-command but
 * `\unrestrict KEY` is refused, so a plain SQL script cannot reach the shell). Asks psql's
 * own command list, which needs no server.
 */
export async function psqlRestrictSupport(opts: BinOptions = {}): Promise<RestrictSupport> {
  const psqlVersion = await toolVersion("psql", opts);
  const [file, ...args] = psqlHelpCommandsArgs(opts);
  const r = await execa(executable(file), args, {
    reject: false,
    stdin: "ignore",
    timeout: 10_000,
    env: { ...minimalChildEnv(), PAGER: "cat", PSQL_PAGER: "cat" },
  });
  if (r.exitCode === undefined) throw missingToolError("psql", opts.binDir);
  const out = typeof r.stdout === "string" ? r.stdout : "";
  return {
    psqlVersion,
    supported: r.exitCode === 0 && /^\s*\\restrict\s/m.test(out) && /^\s*\\unrestrict\s/m.test(out),
    byVersion: versionHasRestrict(psqlVersion),
  };
}

/**
 * runPsqlQuery for long SQL: the statements travel on psql's stdin, not in argv (Linux caps
 * one argument at 128 KB). Returns the CSV rows of everything the script printed.
 */
export async function runPsqlScript(conn: PgConnection, sql: string, opts: RunOptions = {}): Promise<string[][]> {
  const c = pgConnectionSchema.parse(conn);
  if (sql.includes("\u0000")) throw new Error("SQL cannot contain NUL");
  const [file, ...args] = psqlArgs({
    database: c.database,
    file: "-",
    onErrorStop: true,
    csv: true,
    variables: { VERBOSITY: "verbose" },
    binDir: opts.binDir,
  });
  return withPgEnv(c, async (env) => {
    const r = await execa(executable(file), args, {
      env,
      extendEnv: true,
      input: sql,
      reject: false,
      stripFinalNewline: false,
      cancelSignal: opts.signal,
      timeout: opts.timeoutMs,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.isCanceled) throw cancelledError("psql");
    if (r.timedOut) throw timeoutError("psql", c, opts.timeoutMs);
    if (r.exitCode === undefined) {
      if (r.code === "ENOENT" || r.code === "EACCES") throw missingToolError("psql", opts.binDir);
      throw new PgCommandError("psql", null, "", `psql could not run: ${maskSecret(spawnFailure(r.shortMessage), c)}`);
    }
    const stderr = typeof r.stderr === "string" ? r.stderr : "";
    if (r.exitCode !== 0) throw explainPgFailure("psql", c, stderr, r.exitCode);
    return parseCsv(typeof r.stdout === "string" ? r.stdout : "");
  });
}
