import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createDatabase, dropDatabase, testConnection, uniqueDatabaseName } from "@/lib/postgres/test-support";
import { textLiteral } from "@/lib/restores/database-admin";
import { COPY_IDS } from "@/tests/runner/stream-child";

// A console killed while it streams a plain-SQL restore or a copy-back into PostgreSQL leaves
// psql reading the end of its input. psql --single-transaction (and -1 around a COPY … FROM
// STDIN) takes that end as the end of the script and COMMITs what arrived: a truncated dump,
// or half the rows, committed. Lifeboat sends its own BEGIN and sends COMMIT only after the
// whole stream arrived, so a killed console commits nothing. (Before, the copy-back was saved
// only by accident: psql died of SIGPIPE printing its counts to the dead console before its
// COMMIT; the plain restore, whose output goes nowhere, committed the half script.)

const ROOT = path.resolve(import.meta.dirname, "../..");
let dir = "";
const toDrop: string[] = [];
const children: ReturnType<typeof spawn>[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-truncated-"));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const name of toDrop) {
    await runPsqlQuery(
      testConnection(),
      `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ${textLiteral(name)}`,
    );
    await dropDatabase(name);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The console's sessions on `database`: state and query. */
async function sessions(database: string): Promise<{ state: string; query: string; wait: string }[]> {
  const rows = await runPsqlQuery(
    testConnection(),
    `SELECT coalesce(state, ''), left(coalesce(query, ''), 200), coalesce(wait_event, '') FROM pg_stat_activity WHERE datname = ${textLiteral(database)} AND application_name = 'lifeboat' AND pid <> pg_backend_pid()`,
  );
  return rows.map(([state = "", query = "", wait = ""]) => ({ state, query, wait }));
}

function startChild(args: string[]) {
  const proc = spawn(
    process.execPath,
    [
      "--conditions=import",
      "--require",
      "./scripts/allow-server-only.cjs",
      "--require",
      "tsx/cjs",
      "tests/runner/stream-child.ts",
      ...args,
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(proc);
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_c, s) => resolve(s)));
  return { proc, exited, output: () => out, alive: () => proc.exitCode === null };
}

test("a plain-SQL restore whose console is killed half-way through the script commits nothing", async () => {
  const database = uniqueDatabaseName("trunc_sql");
  toDrop.push(database);
  await createDatabase(database);
  const fifo = path.join(dir, "dump.sql");
  await execa("mkfifo", ["-m", "600", fifo]);

  const child = startChild(["plain", database, fifo]);
  // Half a dump: the table and a row, then nothing more (the rest of the script never comes).
  const writer = fs.createWriteStream(fifo);
  writer.on("error", () => {});
  writer.write("CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\n");
  await waitFor(
    "psql to have run the first half inside its transaction",
    async () => {
      if (!child.alive()) throw new Error(`the child ended: ${child.output()}`);
      return sessions(database);
    },
    (s) => s.some((x) => x.state === "idle in transaction" && x.query.includes("INSERT INTO half")),
    30_000,
  );
  child.proc.kill("SIGKILL");
  expect(await child.exited).toBe("SIGKILL");
  writer.destroy();

  await waitFor(
    "psql to end",
    () => sessions(database),
    (s) => s.length === 0,
    15_000,
  );
  expect(await runPsqlQuery(testConnection(database), "SELECT to_regclass('public.half') IS NULL")).toEqual([["t"]]);
}, 60_000);

test("a copy-back whose console is killed while the rows stream commits none of them", async () => {
  const scratch = uniqueDatabaseName("trunc_scr");
  const target = uniqueDatabaseName("trunc_tgt");
  toDrop.push(scratch, target);
  await createDatabase(scratch);
  await createDatabase(target);
  // The scratch side sends rows 1–149 and then sleeps. Each row is exactly 4096 bytes of COPY
  // text, so what reaches the target ends on a row boundary: the truncated data is valid
  // COPY input, which psql -1 would have committed.
  await runPsqlQuery(
    testConnection(scratch),
    `CREATE TABLE items_data (id bigint, pad text);
     INSERT INTO items_data SELECT g, repeat('x', 4094 - length(g::text)) FROM generate_series(1, ${COPY_IDS.length}) g;
     CREATE VIEW items AS SELECT id, pad FROM items_data WHERE CASE WHEN id = 150 THEN pg_sleep(120) IS NOT NULL ELSE true END`,
  );
  await runPsqlQuery(testConnection(target), "CREATE TABLE items (id bigint PRIMARY KEY, pad text)");

  const child = startChild(["copy", scratch, target]);
  await waitFor(
    "the scratch side to stop half-way and the target's COPY to be receiving",
    async () => {
      if (!child.alive()) throw new Error(`the child ended: ${child.output()}`);
      return { scratch: await sessions(scratch), target: await sessions(target) };
    },
    (s) => s.scratch.some((x) => x.wait === "PgSleep") && s.target.some((x) => /COPY lifeboat_rows/.test(x.query)),
    30_000,
  );
  // The rows before the pause are through to the target's psql.
  await new Promise((r) => setTimeout(r, 500));
  child.proc.kill("SIGKILL");
  expect(await child.exited).toBe("SIGKILL");

  await waitFor(
    "the target's psql to end",
    () => sessions(target),
    (s) => s.length === 0,
    15_000,
  );
  expect(await runPsqlQuery(testConnection(target), "SELECT count(*) FROM items")).toEqual([["0"]]);
}, 60_000);
