import { UserError } from "@/lib/errors";
import { describeServer, type PgConnection } from "@/lib/postgres/connection";
import { psqlArgs } from "@/lib/postgres/commands";
import { PgCommandError, quoteIdent, quoteLiteral, runPgTool, runPsqlQuery, type RunOptions } from "@/lib/postgres/run";
import { MAX_IDENTIFIER_BYTES, OLD_COPY_NAME_PATTERN, SCRATCH_NAME_PATTERN } from "./names";

// Server-level operations of a restore: creating and dropping the scratch database, the
// switch-over (two renames) and dropping the old copy. They run on a maintenance database
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
  const list = names.map(textLiteral).join(", ");
  const rows = await runPsqlQuery(
    server,
    `SELECT datname, datallowconn FROM pg_catalog.pg_database WHERE datname IN (${list})`,
    opts,
  );
  return new Map(rows.map(([name = "", allow = ""]) => [name, { name, allowConnections: allow === "t" }]));
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

/** Who is connected to `database` (other than this session). */
export async function sessionsOn(server: PgConnection, database: string, opts: RunOptions = {}): Promise<Session[]> {
  const rows = await runPsqlQuery(
    server,
    `SELECT pid, coalesce(usename, ''), coalesce(application_name, ''), coalesce(host(client_addr), 'local'), coalesce(state, ''),
            coalesce(to_char(backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '')
     FROM pg_catalog.pg_stat_activity WHERE datname = ${textLiteral(database)} AND pid <> pg_backend_pid() ORDER BY backend_start`,
    opts,
  );
  return rows.map(([pid = "", user = "", application = "", client = "", state = "", since = ""]) => ({
    pid,
    user,
    application,
    client,
    state,
    since,
  }));
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

async function renameWhenFree(
  server: PgConnection,
  from: string,
  to: string,
  log: (t: string) => void,
  opts: RunOptions,
): Promise<number> {
  let terminated = 0;
  for (let attempt = 1; ; attempt++) {
    terminated += Number((await runPsqlQuery(server, terminateSql(from), opts))[0]?.[0] ?? 0);
    try {
      // Waits up to 5 s by itself for terminated sessions to go.
      await runPsqlQuery(server, renameSql(from, to), opts);
      return terminated;
    } catch (e) {
      if (!inUse(e) || attempt >= 5) throw e;
      log(`${from} is still in use; ending its sessions again (attempt ${attempt + 1} of 5)`);
    }
  }
}

export type SwitchOverResult = {
  terminatedSessions: number;
  /** What was found when the step started: a resumed run continues where it stopped. */
  found: "fresh" | "old-renamed" | "already-done";
  statements: string[];
};

/**
 * target → oldCopy, then scratch → target. Re-runnable: it looks at which of the three
 * databases exist and does only what is left. While the target is renamed it takes no new
 * connections (ALLOW_CONNECTIONS false), so an application cannot reconnect in between.
 */
export async function switchOver(
  server: PgConnection,
  names: { target: string; scratch: string; oldCopy: string },
  log: (text: string) => void,
  opts: RunOptions = {},
): Promise<SwitchOverResult> {
  const { target, scratch, oldCopy } = names;
  if (
    !SCRATCH_NAME_PATTERN.test(scratch) ||
    !OLD_COPY_NAME_PATTERN.test(oldCopy) ||
    new Set([target, scratch, oldCopy]).size !== 3
  ) {
    throw new Error("switch-over needs three distinct names: target, scratch and old copy");
  }
  const exists = await existingDatabases(server, [target, scratch, oldCopy], opts);
  const has = (n: string) => exists.has(n);
  const statements: string[] = [];
  let terminated = 0;
  let found: SwitchOverResult["found"];
  const server_ = describeServer(server);

  if (has(target) && has(oldCopy) && !has(scratch)) {
    log(`${target} is already the restored database and ${oldCopy} the old copy: nothing left to do`);
    return { terminatedSessions: 0, found: "already-done", statements };
  }
  if (has(target) && has(scratch) && !has(oldCopy)) {
    found = "fresh";
    statements.push(allowConnectionsSql(target, false));
    await runPsqlQuery(server, allowConnectionsSql(target, false), opts);
    try {
      terminated = await renameWhenFree(server, target, oldCopy, log, opts);
      statements.push(terminateSql(target), renameSql(target, oldCopy));
    } catch (e) {
      // Not renamed: the target is as it was, connections included.
      await runPsqlQuery(server, allowConnectionsSql(target, true), opts).catch(() => {});
      throw e;
    }
    log(`renamed ${target} to ${oldCopy} (ended ${terminated} session${terminated === 1 ? "" : "s"})`);
  } else if (has(oldCopy) && has(scratch) && !has(target)) {
    found = "old-renamed";
    log(`an earlier attempt already renamed ${target} to ${oldCopy}: continuing with the second rename`);
  } else {
    const state = [target, scratch, oldCopy].map((n) => `${n} ${has(n) ? "exists" : "does not exist"}`).join(", ");
    throw new UserError(
      `cannot switch over on ${server_}: ${state}. Expected ${target} and ${scratch} (or ${oldCopy} and ${scratch} after an interrupted switch-over). Check the databases by hand.`,
      409,
    );
  }
  // The old copy takes connections again (for inspection); applications use the target's name.
  statements.push(allowConnectionsSql(oldCopy, true));
  await runPsqlQuery(server, allowConnectionsSql(oldCopy, true), opts);
  terminated += await renameWhenFree(server, scratch, target, log, opts);
  statements.push(terminateSql(scratch), renameSql(scratch, target));
  log(`renamed ${scratch} to ${target}`);
  return { terminatedSessions: terminated, found, statements };
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
