import { UserError } from "@/lib/errors";
import { execa } from "execa";
import { describeServer, pgEnv, type PgConnection } from "@/lib/postgres/connection";
import { psqlArgs } from "@/lib/postgres/commands";
import {
  explainPgFailure,
  missingToolError,
  parseCsv,
  PgCommandError,
  quoteIdent,
  quoteLiteral,
  runPgTool,
  runPsqlQueries,
  runPsqlQuery,
  runQuery,
  type PsqlQuery,
  type RunOptions,
} from "@/lib/postgres/run";
import {
  databasePropertiesQuery,
  databasePropertyStatements,
  readDatabaseProperties,
  type PropertyStatements,
} from "./database-properties";
import { MAX_IDENTIFIER_BYTES, OLD_COPY_NAME_PATTERN, SCRATCH_NAME_PATTERN } from "./names";
import { executable } from "@/lib/postgres/executable";

// Server-level operations of a restore: creating and dropping the scratch database, the
// switch-over (two renames in one transaction) and dropping the old copy. They run on a maintenance database
// of the same server ("postgres" by default), never inside the database they change.

export const DEFAULT_MAINTENANCE_DATABASE = "postgres";

/** The same server and credentials, connected to the maintenance database. */
export function serverConnection(conn: PgConnection, maintenanceDatabase = DEFAULT_MAINTENANCE_DATABASE): PgConnection {
  return { ...conn, database: maintenanceDatabase };
}

/**
 * A text value as SQL that reads the same whatever the session's standard_conforming_strings
 * (hex digits only: no quote or backslash can reach the SQL).
 */
export function textLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("a value cannot contain NUL");
  return `convert_from(decode('${Buffer.from(value, "utf8").toString("hex")}', 'hex'), 'UTF8')`;
}

function checkName(name: string) {
  if (name === "" || Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES)
    throw new Error(`not a usable database name: ${JSON.stringify(name)}`);
}

export async function databaseExists(server: PgConnection, name: string, opts: RunOptions = {}): Promise<boolean> {
  const rows = await runPsqlQuery(
    server,
    `SELECT count(*) FROM pg_catalog.pg_database WHERE datname = ${textLiteral(name)}`,
    opts,
  );
  return rows[0]?.[0] === "1";
}

export type DatabaseFacts = { name: string; allowConnections: boolean };

/** Which of these databases exist (and whether they take connections). */
export async function existingDatabases(
  server: PgConnection,
  names: string[],
  opts: RunOptions = {},
): Promise<Map<string, DatabaseFacts>> {
  return runQuery(server, existingDatabasesQuery(names), opts);
}

function existingDatabasesQuery(names: string[]): PsqlQuery<Map<string, DatabaseFacts>> {
  const list = names.map(textLiteral).join(", ");
  return {
    sql: `SELECT datname, datallowconn FROM pg_catalog.pg_database WHERE datname IN (${list})`,
    read: (rows) => new Map(rows.map(([name = "", allow = ""]) => [name, { name, allowConnections: allow === "t" }])),
  };
}

/** Ordinary tables outside the system schemas. */
export async function userTableCount(conn: PgConnection, opts: RunOptions = {}): Promise<number> {
  const rows = await runPsqlQuery(
    conn,
    `SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
    opts,
  );
  return Number(rows[0]?.[0] ?? 0);
}

type CreateFacts = { exists: boolean; create: string };

/**
 * Whether `name` exists, and the `CREATE DATABASE` (from template0, with the encoding and
 * locale of `like` when given and it exists, so that text sorts and compares as it did), in
 * one round trip.
 */
async function createFacts(
  server: PgConnection,
  name: string,
  like: string | null,
  opts: RunOptions,
): Promise<CreateFacts> {
  checkName(name);
  const rows = await runPsqlQuery(
    server,
    `SELECT (SELECT count(*) FROM pg_catalog.pg_database WHERE datname = ${textLiteral(name)}),
            pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,
            coalesce(to_jsonb(d)->>'datlocprovider', 'c'), coalesce(to_jsonb(d)->>'datlocale', to_jsonb(d)->>'daticulocale', '')
     FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_database d ON d.datname = ${like === null ? "NULL" : textLiteral(like)}`,
    opts,
  );
  const [count, encoding, collate, ctype, provider, icu] = rows[0] ?? [];
  let clauses = "";
  // Catalog values without backslashes or quotes are the only ones written literally.
  const plain = (v: string | undefined): v is string => v !== undefined && v !== "" && /^[A-Za-z0-9_.@ -]+$/.test(v);
  if (like !== null) {
    if (plain(encoding)) clauses += ` ENCODING ${quoteLiteral(encoding)}`;
    if (provider === "i" && plain(icu)) clauses += ` LOCALE_PROVIDER icu ICU_LOCALE ${quoteLiteral(icu)}`;
    if (plain(collate)) clauses += ` LC_COLLATE ${quoteLiteral(collate)}`;
    if (plain(ctype)) clauses += ` LC_CTYPE ${quoteLiteral(ctype)}`;
  }
  return { exists: count === "1", create: `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0${clauses}` };
}

/** `CREATE DATABASE` from template0 with the encoding and locale of `like` (when given and it exists). */
export async function createDatabaseSql(
  server: PgConnection,
  name: string,
  like: string | null,
  opts: RunOptions = {},
): Promise<string> {
  return (await createFacts(server, name, like, opts)).create;
}

export function dropDatabaseSql(name: string): string {
  return `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`;
}

/** Runs statements one after the other in one psql (each in its own transaction: CREATE/DROP DATABASE need that). */
async function runStatements(server: PgConnection, statements: string[], opts: RunOptions): Promise<void> {
  const argv = psqlArgs({
    database: server.database,
    command: statements,
    onErrorStop: true,
    variables: { VERBOSITY: "verbose" },
    binDir: opts.binDir,
  });
  await runPgTool("psql", server, argv, opts);
}

/**
 * Creates the scratch database, dropping a leftover of the same name first (an earlier,
 * interrupted attempt of the same run). Refuses names that are not scratch names.
 */
export async function createScratchDatabase(
  server: PgConnection,
  scratch: string,
  like: string,
  opts: RunOptions = {},
): Promise<{ droppedLeftover: boolean; sql: string[] }> {
  if (!SCRATCH_NAME_PATTERN.test(scratch) || scratch === like)
    throw new Error(`${scratch} is not a scratch database name`);
  const facts = await createFacts(server, scratch, like, opts);
  const sql = facts.exists ? [dropDatabaseSql(scratch), facts.create] : [facts.create];
  await runStatements(server, sql, opts);
  return { droppedLeftover: facts.exists, sql };
}

/** Drops a scratch database (only a name that looks like one). */
export async function dropScratchDatabase(
  server: PgConnection,
  scratch: string,
  opts: RunOptions = {},
): Promise<boolean> {
  if (!SCRATCH_NAME_PATTERN.test(scratch)) throw new Error(`${scratch} is not a scratch database name`);
  const existed = await databaseExists(server, scratch, opts);
  if (existed) await runPsqlQuery(server, dropDatabaseSql(scratch), opts);
  return existed;
}

export type Session = { pid: string; user: string; application: string; client: string; state: string; since: string };

/**
 * Who is connected to `database` (other than this session). The server's own processes listed
 * under the database are not: autovacuum's workers (the server ends them itself before a rename
 * or a drop) and a parallel query's workers (their leader is the session).
 */
export async function sessionsOn(server: PgConnection, database: string, opts: RunOptions = {}): Promise<Session[]> {
  return runQuery(server, sessionsQuery(database), opts);
}

/** The query sessionsOn runs. */
export function sessionsQuery(database: string): PsqlQuery<Session[]> {
  return {
    sql: `SELECT pid, coalesce(usename, ''), coalesce(application_name, ''), coalesce(host(client_addr), 'local'), coalesce(state, ''),
            coalesce(to_char(backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
     FROM pg_catalog.pg_stat_activity WHERE datname = ${textLiteral(database)} AND pid <> pg_backend_pid()
       AND backend_type NOT IN ('autovacuum worker', 'parallel worker') ORDER BY backend_start`,
    read: (rows) =>
      rows.map(([pid = "", user = "", application = "", client = "", state = "", since = ""]) => ({
        pid,
        user,
        application,
        client,
        state,
        since,
      })),
  };
}

export function describeSession(s: Session): string {
  return `pid ${s.pid}: ${s.user || "?"}${s.application ? ` (${s.application})` : ""} from ${s.client}, ${s.state || "no state"}${s.since ? `, since ${s.since}` : ""}`;
}

/** SQL that ends every other session on `database`; prints how many were ended. */
export function terminateSql(database: string): string {
  return `SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity WHERE datname = ${textLiteral(database)} AND pid <> pg_backend_pid()`;
}

export function renameSql(from: string, to: string): string {
  return `ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`;
}

export function allowConnectionsSql(database: string, allow: boolean): string {
  return `ALTER DATABASE ${quoteIdent(database)} WITH ALLOW_CONNECTIONS ${allow}`;
}

/** SQLSTATE 55006: "database … is being accessed by other users". */
function inUse(e: unknown): boolean {
  return e instanceof PgCommandError && e.sqlstate === "55006";
}

/** SQL that ends every other session on any of `databases`; prints how many were ended. */
export function terminateAllSql(databases: string[]): string {
  return `SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity WHERE datname IN (${databases.map(textLiteral).join(", ")}) AND pid <> pg_backend_pid()`;
}

/**
 * Where a switch-over can be stopped: the kill tests pause the console at each of these and
 * SIGKILL it there. Inside the transaction ("sessions-ended" to "scratch-renamed") nothing is
 * committed yet; "committed" is after COMMIT returned.
 */
export const SWITCH_OVER_POINTS = [
  "before-transaction",
  "sessions-ended",
  "target-renamed",
  "scratch-renamed",
  "committed",
] as const;
export type SwitchOverPoint = (typeof SWITCH_OVER_POINTS)[number];
export type PauseAt = (point: SwitchOverPoint) => Promise<void>;

const MARK = "lifeboat-done-";

/**
 * Runs `parts` in ONE transaction on one psql session fed through its stdin: BEGIN, each
 * part (waiting until psql printed the mark after it), then COMMIT. The COMMIT is written
 * only after every part succeeded, so a console that dies at any point before leaves psql
 * reading end-of-file inside an open transaction, which the server rolls back. Returns the
 * CSV rows each part printed.
 */
async function oneTransaction(
  server: PgConnection,
  parts: { sql: string; after: SwitchOverPoint }[],
  opts: RunOptions & { pauseAt?: PauseAt },
): Promise<string[][][]> {
  const [file, ...args] = psqlArgs({
    database: server.database,
    file: "-",
    onErrorStop: true,
    csv: true,
    variables: { VERBOSITY: "verbose" },
    binDir: opts.binDir,
  });
  const { env, cleanup } = await pgEnv(server);
  const child = execa(executable(file), args, {
    env,
    extendEnv: false,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    reject: false,
    buffer: { stdout: false },
    cancelSignal: opts.signal,
  });
  child.stdin.on("error", () => {
    // psql stopped (an error with ON_ERROR_STOP): its exit code and stderr say why.
  });
  let out = "";
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const exited = child.then((r) => r);
  void exited.then(() => {
    for (const w of waiters.splice(0)) w();
  });
  const marked = async (n: number | "commit") => {
    const line = new RegExp(`^${MARK}${n}$`, "m");
    while (!line.test(out)) {
      if (child.exitCode !== null || child.signalCode !== null) {
        // Its last output may arrive after the exit: all of it is in once `exited` settles.
        const r = await exited;
        if (line.test(out)) return;
        if (r.isCanceled) throw new DOMException("The switch-over was cancelled.", "AbortError");
        const stderr = typeof r.stderr === "string" ? r.stderr : "";
        if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES"))
          throw missingToolError("psql", opts.binDir);
        throw explainPgFailure(
          "psql",
          server,
          stderr || "psql stopped before the transaction ended",
          r.exitCode ?? null,
        );
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  try {
    child.stdin.write("BEGIN;\n");
    for (const [i, part] of parts.entries()) {
      child.stdin.write(`${part.sql};\nSELECT '${MARK}${i}';\n`);
      await marked(i);
      await opts.pauseAt?.(part.after);
    }
    child.stdin.end(`COMMIT;\nSELECT '${MARK}commit';\n`);
    await marked("commit");
    const r = await exited;
    const stderr = typeof r.stderr === "string" ? r.stderr : "";
    if (r.exitCode !== 0) throw explainPgFailure("psql", server, stderr, r.exitCode ?? null);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      // An exception in this process: end psql without COMMIT, so the server rolls back.
      child.stdin.destroy();
      const timer = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup();
  }
  const rows = parseCsv(out);
  const results: string[][][] = [];
  let current: string[][] = [];
  for (const row of rows) {
    if (row.length === 1 && row[0]?.startsWith(MARK)) {
      results.push(current);
      current = [];
    } else current.push(row);
  }
  return results;
}

export type SwitchOverNames = { target: string; scratch: string; oldCopy: string };

/** What a switch-over finds on the server: which names exist, and whether each takes connections. */
export type SwitchOverState = {
  /** fresh: not switched; done: switched; half: the target renamed away and the scratch not (by hand, or an older Lifeboat). */
  phase: "fresh" | "done" | "half" | "unexpected";
  databases: Record<string, { exists: boolean; allowConnections: boolean | null }>;
};

export async function switchOverState(
  server: PgConnection,
  names: SwitchOverNames,
  opts: RunOptions = {},
): Promise<SwitchOverState> {
  const { target, scratch, oldCopy } = names;
  return stateOf(names, await existingDatabases(server, [target, scratch, oldCopy], opts));
}

/** The query existingDatabases runs, for the three names (run inside the switch-over's transaction too). */
function stateSql(names: SwitchOverNames): string {
  const list = [names.target, names.scratch, names.oldCopy].map(textLiteral).join(", ");
  return `SELECT datname, datallowconn FROM pg_catalog.pg_database WHERE datname IN (${list})`;
}

function stateOf(names: SwitchOverNames, found: Map<string, DatabaseFacts>): SwitchOverState {
  const { target, scratch, oldCopy } = names;
  const has = (n: string) => found.has(n);
  const phase =
    has(target) && has(scratch) && !has(oldCopy)
      ? "fresh"
      : has(target) && has(oldCopy) && !has(scratch)
        ? "done"
        : has(oldCopy) && has(scratch) && !has(target)
          ? "half"
          : "unexpected";
  const databases = Object.fromEntries(
    [target, scratch, oldCopy].map((n) => [
      n,
      { exists: has(n), allowConnections: found.get(n)?.allowConnections ?? null },
    ]),
  );
  return { phase, databases };
}

function connectionWords(state: SwitchOverState, name: string): string {
  const allow = state.databases[name]?.allowConnections;
  return allow === false
    ? `REFUSES new connections (ALLOW_CONNECTIONS is false: ALTER DATABASE ${quoteIdent(name)} WITH ALLOW_CONNECTIONS true)`
    : "accepts connections";
}

/**
 * Exactly what production is, in words: which name holds what and whether it takes
 * connections. Used when a switch-over starts (a resumed run says what it found) and when
 * it fails.
 */
export function describeSwitchOverState(state: SwitchOverState, names: SwitchOverNames, server: string): string {
  const { target, scratch, oldCopy } = names;
  switch (state.phase) {
    case "fresh":
      return `Production has not been switched over: ${target} on ${server} is still the original database and ${connectionWords(state, target)}; ${scratch} holds the verified restore.`;
    case "done":
      return `Production is switched over: ${target} on ${server} is the restored database and ${connectionWords(state, target)}; the original is kept as ${oldCopy}, which ${connectionWords(state, oldCopy)}.`;
    case "half":
      return `Production is half switched over: nothing on ${server} is called ${target}; the original is ${oldCopy} (it ${connectionWords(state, oldCopy)}) and the restore is still ${scratch}. Run this step again to finish the switch-over, or rename ${oldCopy} back to ${target} by hand.`;
    default:
      return `The databases on ${server} are not as a switch-over leaves them: ${[target, scratch, oldCopy]
        .map((n) => `${n} ${state.databases[n]?.exists ? `exists and ${connectionWords(state, n)}` : "does not exist"}`)
        .join(", ")}. Check them by hand.`;
  }
}

export type SwitchOverResult = {
  terminatedSessions: number;
  /** What was found when the step started: a resumed run continues where it stopped. */
  found: "fresh" | "old-renamed" | "already-done";
  statements: string[];
  /** What production is afterwards, in words, and whether each database takes connections. */
  state: string;
  allowConnections: Record<string, boolean | null>;
  /** The replaced database's owner, settings, grants and comment: what was applied, what is left to a person. */
  databaseProperties: PropertyStatements | null;
};

/**
 * target → oldCopy and scratch → target in ONE transaction, after ending every session on
 * both: a failure or a killed console at any point leaves production either as it was or
 * fully switched, never in between. The renames take an exclusive lock on each database, so
 * a client connecting meanwhile waits and then finds the new database under the old name;
 * a client that connects between the sessions being ended and the first rename makes the
 * rename fail after 5 s (55006), which rolls everything back, and the step tries again.
 * Re-runnable: it looks at which databases exist and does only what is left.
 */
export async function switchOver(
  server: PgConnection,
  names: SwitchOverNames,
  log: (text: string, stream?: "stderr") => void,
  opts: RunOptions & { pauseAt?: PauseAt } = {},
): Promise<SwitchOverResult> {
  const { target, scratch, oldCopy } = names;
  if (
    !SCRATCH_NAME_PATTERN.test(scratch) ||
    !OLD_COPY_NAME_PATTERN.test(oldCopy) ||
    new Set([target, scratch, oldCopy]).size !== 3
  ) {
    throw new Error("switch-over needs three distinct names: target, scratch and old copy");
  }
  const where = describeServer(server);
  // The usual case is a fresh switch-over: the original's properties are read with the state,
  // in the same session, and used only when the state says the original is still there.
  // When the properties cannot be read (an error of the server's), the state is read alone and
  // the properties again before the transaction.
  const [databases, originalProps] = await runPsqlQueries(
    server,
    [existingDatabasesQuery([target, scratch, oldCopy]), databasePropertiesQuery(target)],
    opts,
  ).catch(async (e: unknown) => {
    if (!(e instanceof PgCommandError) || e.sqlstate === null) throw e;
    return [await existingDatabases(server, [target, scratch, oldCopy], opts), undefined] as const;
  });
  const before = stateOf(names, databases);
  log(describeSwitchOverState(before, names, where));
  const finish = async (
    found: SwitchOverResult["found"],
    terminatedSessions: number,
    statements: string[],
    databaseProperties: PropertyStatements | null = null,
    /** The state read in the transaction's last statement, which then committed. */
    committed: SwitchOverState | null = null,
  ) => {
    const after = committed ?? (await switchOverState(server, names, opts));
    const state = describeSwitchOverState(after, names, where);
    if (after.phase !== "done") throw new UserError(`the switch-over did not complete. ${state}`, 500);
    log(state);
    const allowConnections = Object.fromEntries(
      [target, oldCopy].map((n) => [n, after.databases[n]?.allowConnections ?? null]),
    );
    return { terminatedSessions, found, statements, state, allowConnections, databaseProperties };
  };
  if (before.phase === "done") return finish("already-done", 0, []);
  if (before.phase === "unexpected") throw new UserError(describeSwitchOverState(before, names, where), 409);

  const found = before.phase === "fresh" ? "fresh" : "old-renamed";
  const parts: { sql: string; after: SwitchOverPoint }[] =
    before.phase === "fresh"
      ? [
          { sql: terminateAllSql([target, scratch]), after: "sessions-ended" },
          { sql: renameSql(target, oldCopy), after: "target-renamed" },
          { sql: renameSql(scratch, target), after: "scratch-renamed" },
        ]
      : [
          { sql: terminateAllSql([scratch]), after: "sessions-ended" },
          { sql: renameSql(scratch, target), after: "scratch-renamed" },
        ];
  // A copy an older switch-over left refusing connections takes them again (for inspection).
  if (before.databases[oldCopy]?.allowConnections === false)
    parts.push({ sql: allowConnectionsSql(oldCopy, true), after: "scratch-renamed" });
  for (let attempt = 1; ; attempt++) {
    await opts.pauseAt?.("before-transaction");
    // Read from the database being replaced (still there, under its name or already as the
    // old copy) on every attempt, so the values are those of the moment of the switch (the
    // first attempt's were read with the state, just before).
    const props =
      attempt === 1 && before.phase === "fresh" && originalProps !== undefined
        ? originalProps
        : await readDatabaseProperties(server, before.phase === "fresh" ? target : oldCopy, opts);
    const properties = props ? databasePropertyStatements(props, target) : null;
    // Only the SET LOCAL: the original had nothing of its own (owned by the restore role, default grants).
    const extra = properties && properties.statements.length > 1 ? properties.statements : [];
    // The transaction ends by reading what it leaves (the names and whether they take
    // connections): once it committed, that is the state, without another round trip.
    const all = [
      ...parts,
      ...(extra.length > 0 ? [{ sql: extra.join(";\n"), after: "scratch-renamed" as const }] : []),
      { sql: stateSql(names), after: "scratch-renamed" as const },
    ];
    const statements = ["BEGIN", ...parts.map((p) => p.sql), ...extra, "COMMIT"];
    try {
      const rows = await oneTransaction(server, all, opts);
      const stateRows = rows[all.length - 1];
      const committed = stateRows
        ? stateOf(
            names,
            new Map(stateRows.map(([name = "", allow = ""]) => [name, { name, allowConnections: allow === "t" }])),
          )
        : null;
      await opts.pauseAt?.("committed");
      const terminated = Number(rows[0]?.[0]?.[0] ?? 0);
      log(
        `in one transaction: ended ${terminated} session${terminated === 1 ? "" : "s"}, ${
          found === "fresh"
            ? `renamed ${target} to ${oldCopy} and ${scratch} to ${target}`
            : `renamed ${scratch} to ${target}`
        }`,
      );
      if (properties) {
        const applied = properties.statements.length - 1;
        if (applied > 0)
          log(
            `${target} took over the original's owner, settings, grants and comment in the same transaction (${applied} statement${applied === 1 ? "" : "s"})`,
          );
        for (const n of properties.notApplied)
          log(`warning: not applied to ${target}: ${n.what} — ${n.reason}`, "stderr");
      } else
        log(
          `warning: the original database could not be read: ${target} has none of its owner, settings or grants`,
          "stderr",
        );
      return await finish(found, terminated, statements, properties, committed);
    } catch (e) {
      if (!inUse(e) || attempt >= 5) throw e;
      log(
        `a client connected again before the rename could start: nothing was changed (the transaction rolled back); ending the sessions again (attempt ${attempt + 1} of 5)`,
      );
    }
  }
}

/**
 * Drops the old copy a switch-over kept (`<db>_before_<YYYYMMDDHHMMSS>`), after its own
 * confirmation. Refuses any other name, and the connection's own database. `conn` is any
 * connection to the server; the statement runs from its maintenance database.
 */
export async function dropOldCopy(
  conn: PgConnection,
  name: string,
  opts: RunOptions & { maintenanceDatabase?: string } = {},
): Promise<{ dropped: boolean }> {
  if (!OLD_COPY_NAME_PATTERN.test(name) || Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
    throw new UserError(
      `${name} is not an old copy left by a restore (<database>_before_<YYYYMMDDHHMMSS>): Lifeboat drops only those.`,
    );
  }
  const maintenance =
    opts.maintenanceDatabase ?? (conn.database === name ? DEFAULT_MAINTENANCE_DATABASE : conn.database);
  if (maintenance === name) throw new UserError(`cannot drop ${name} while connected to it`);
  const server = serverConnection(conn, maintenance);
  const existed = await databaseExists(server, name, opts);
  if (existed) await runPsqlQuery(server, dropDatabaseSql(name), opts);
  return { dropped: existed };
}
