import { randomBytes } from "node:crypto";
import path from "node:path";
import { execa } from "execa";
import { psqlArgs } from "./commands";
import { withPgEnv, type PgConnection } from "./connection";
import { quoteIdent, runPsqlQuery } from "./run";

// For integration tests only: the real PostgreSQL server the suite talks to (a
// password-protected superuser from TEST_PG_*), and throwaway databases on it.

export const FIXTURE_SQL = path.resolve(import.meta.dirname, "../../tests/fixtures/amani.sql");

/** The test server's superuser connection to `database`. Fails loudly when not configured. */
export function testConnection(database = "postgres"): PgConnection {
  // Test-only: the suite's server comes from the environment the runner sets up.
  // eslint-disable-next-line no-restricted-properties
  const e = process.env;
  const missing = ["TEST_PG_HOST", "TEST_PG_PORT", "TEST_PG_USER", "TEST_PG_PASSWORD"].filter((k) => !e[k]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} not set: the PostgreSQL integration tests need a password-protected superuser (scripts/services.sh start does that)`,
    );
  }
  return {
    host: e.TEST_PG_HOST ?? "",
    port: Number(e.TEST_PG_PORT),
    user: e.TEST_PG_USER ?? "",
    password: e.TEST_PG_PASSWORD ?? "",
    database,
    sslmode: "disable",
  };
}

export function uniqueDatabaseName(prefix: string): string {
  return `lb_${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

export async function createDatabase(name: string): Promise<PgConnection> {
  await runPsqlQuery(testConnection(), `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`);
  return testConnection(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await runPsqlQuery(testConnection(), `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** Runs a SQL file against `conn` (ON_ERROR_STOP), e.g. the amani fixture with { scale: "1" }. */
export async function runSqlFile(
  conn: PgConnection,
  file: string,
  variables: Record<string, string> = {},
): Promise<void> {
  const [bin, ...args] = psqlArgs({ database: conn.database, file, onErrorStop: true, variables });
  await withPgEnv(conn, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore", stdout: "ignore" }));
}

/** A fresh database with the amani fixture loaded at `scale`. */
export async function createFixtureDatabase(prefix: string, scale = 1): Promise<PgConnection> {
  const name = uniqueDatabaseName(prefix);
  const conn = await createDatabase(name);
  await runSqlFile(conn, FIXTURE_SQL, { scale: String(scale) });
  return conn;
}

/** The fixture's tables and their row counts at scale 1 (amani.sql's header). */
export const AMANI_SCALE1_COUNTS: Record<string, number> = {
  alembic_version: 1,
  users: 1000,
  projects: 400,
  milestones: 2000,
  transactions: 20000,
  wallet_registry: 1000,
  wallet_balances: 1000,
  wallet_events: 5000,
};
