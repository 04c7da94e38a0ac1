import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import { psqlArgs } from "@/lib/postgres/commands";
import { withPgEnv, type PgConnection } from "@/lib/postgres/connection";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import { createStorage } from "@/lib/storage/create-storage";
import type { BackupStorage } from "@/lib/storage/provider";
import { planFor, type BackupSource } from "./plans";
import { executePlan } from "./test-support";

// The preflight reads the maintenance database and the target in one session each. Its own
// session is not "someone connected"; everyone else's are; a migration table that is not there
// is a head of none, and the other facts are still read.

let dir: string;
let workDir: string;
let storage: BackupStorage;
let conn: PgConnection;
let backup: BackupSource;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-preflight-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-preflight-work-"));
  storage = createStorage({ kind: "local", path: dir, prefix: "" });
  conn = await createFixtureDatabase("preflight");
  const key = `${conn.database}/backup.dump`;
  const r = await createBackup({ conn, storage, key, format: "custom" });
  backup = { storage, key, size: r.size, format: "custom", manifest: r.manifest, locationName: "test folder" };
}, 120_000);

afterAll(async () => {
  if (conn) await dropDatabase(conn.database);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

async function preflight(opts: { head?: typeof DEFAULT_HEAD_SOURCE } = {}) {
  const plan = planFor({
    scenarioId: "database-corruption",
    target: { name: conn.database, environment: "production", conn, migrationHead: opts.head ?? DEFAULT_HEAD_SOURCE },
    backup,
    now: new Date(),
    options: { workDir },
  });
  const run = await executePlan(plan, { only: (k) => k === "preflight" });
  if (run.failed) throw new Error(`${run.failed.error.message}\n${run.logs.join("\n")}`);
  return { facts: run.results["preflight"] as Record<string, unknown>, logs: run.logs };
}

/** A client of the application: a session on the target that stays while the preflight runs. */
async function withClient<T>(name: string, fn: () => Promise<T>, command = "SELECT pg_sleep(30)"): Promise<T> {
  const [bin, ...args] = psqlArgs({ database: conn.database, command, onErrorStop: true });
  const controller = new AbortController();
  const child = withPgEnv(conn, (env) =>
    execa(bin, args, {
      env: { ...env, PGAPPNAME: name },
      extendEnv: true,
      stdin: "ignore",
      reject: false,
      cancelSignal: controller.signal,
    }),
  );
  try {
    for (let i = 0; i < 100; i++) {
      const rows = await runPsqlQuery(
        conn,
        `SELECT count(*) FROM pg_stat_activity WHERE application_name = '${name}' AND state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      if (rows[0]?.[0] === "1") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return await fn();
  } finally {
    controller.abort();
    await child;
    // The server ends a sleeping backend only when it next writes to its gone client: ended here.
    await runPsqlQuery(
      conn,
      `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '${name}' AND pid <> pg_backend_pid()`,
    );
  }
}

describe("the preflight's reads", () => {
  test("nobody else connected: its own sessions are not counted", async () => {
    const r = await preflight();
    expect(r.facts).toMatchObject({ sessions: 0, migrationHead: "a1b2c3d4e5f6" });
    expect(r.logs.join("\n")).toContain(`nobody else is connected to ${conn.database}`);
  });

  test("a client connected to the target is listed, even one that calls itself lifeboat", async () => {
    const r = await withClient("billing-worker", () => preflight());
    expect(r.facts).toMatchObject({ sessions: 1 });
    expect(r.facts["sessionList"]).toEqual([expect.stringContaining("(billing-worker)")]);
    const other = await withClient("lifeboat", () => preflight());
    expect(other.facts).toMatchObject({ sessions: 1 });
  });

  test("a query with parallel workers is one session; the server's own workers are not sessions", async () => {
    // Workers of a parallel query and autovacuum workers are listed in pg_stat_activity under the
    // target's name; neither is someone connected (autovacuum's are ended by the server itself
    // when the database is renamed). A parallel scan of 443 pages that sleeps on one row in 2,000
    // keeps its workers busy for seconds.
    await runPsqlQuery(conn, "CREATE TABLE public.parallel_probe AS SELECT generate_series(1, 100000) AS n");
    const sql =
      "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; " +
      "SELECT count(*) FROM public.parallel_probe WHERE CASE WHEN n % 2000 = 0 THEN pg_sleep(0.3) IS NOT NULL ELSE true END";
    const r = await withClient(
      "parallel-report",
      async () => {
        const workers = async () =>
          (
            await runPsqlQuery(
              conn,
              `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'parallel worker'`,
            )
          )[0]?.[0];
        for (let i = 0; i < 100 && (await workers()) === "0"; i++) await new Promise((r) => setTimeout(r, 50));
        expect(Number(await workers())).toBeGreaterThan(0);
        return preflight();
      },
      sql,
    );
    expect(r.facts).toMatchObject({ sessions: 1 });
    expect(r.facts["sessionList"]).toEqual([expect.stringContaining("(parallel-report)")]);
    await runPsqlQuery(conn, "DROP TABLE public.parallel_probe");
  });

  test("a migration table that is not there: the head is none, the version, size and sessions are read", async () => {
    const r = await withClient("reporting", () =>
      preflight({ head: { kind: "custom", schema: null, table: "no_such_table", column: "v", orderBy: null } }),
    );
    expect(r.facts).toMatchObject({ migrationHead: null, sessions: 1 });
    expect(Number(r.facts["databaseBytes"])).toBeGreaterThan(1_000_000);
    expect(r.logs.join("\n")).toMatch(/is reachable/);
  });
});
