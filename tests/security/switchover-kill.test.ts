import { spawn } from "node:child_process";
import { execa } from "execa";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import { minimalChildEnv } from "@/lib/env";
import { seal } from "@/lib/crypto/key";
import { runPsqlQuery } from "@/lib/postgres/run";
import { sweepSecretDirs } from "@/lib/postgres/private-dir";
import { createDatabase, dropDatabase, testConnection, uniqueDatabaseName } from "@/lib/postgres/test-support";
import {
  existingDatabases,
  serverConnection,
  switchOver,
  SWITCH_OVER_POINTS,
  type SwitchOverPoint,
} from "@/lib/restores/database-admin";
import { oldCopyName, restoreTimestamp, scratchDatabaseName } from "@/lib/restores/names";
import { recoverInterruptedRuns } from "@/lib/runner/lease";
import { cancelRun, createRun, resumeRun } from "@/lib/runner/runs";
import { cleanUpRun } from "@/lib/restores/leftovers";
import { resolveSwitchOverPlan, switchOverPlanFrom } from "@/tests/runner/switchover-child";

// A console process executing the real switch-over step is killed with SIGKILL at every point
// of it, one run per point: before the transaction, after the sessions were ended, after the
// first rename, after the second (all three inside the open transaction), and after COMMIT.
// Production must then be either exactly as it was (the original database under its name,
// taking connections) or fully switched (the restored one under its name, the original kept),
// never in between; and the resumed run must say which it found, then finish the switch-over.

const ROOT = path.resolve(import.meta.dirname, "../..");
const LEASE_MS = 1_500;
const RENEW_MS = 250;

let childTmp = "";
const children: ReturnType<typeof spawn>[] = [];
const toDrop: string[] = [];

beforeAll(() => {
  childTmp = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-switch-kill-"));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const name of toDrop) await dropDatabase(name);
  if (childTmp) {
    await sweepSecretDirs(childTmp);
    fs.rmSync(childTmp, { recursive: true, force: true });
  }
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

/** Which database answers under each name, by the marker row each holds, and whether it takes connections. */
async function production(names: { target: string; scratch: string; oldCopy: string }) {
  const found = await existingDatabases(testConnection(), Object.values(names));
  const marker = async (name: string) =>
    found.has(name) ? ((await runPsqlQuery(testConnection(name), "SELECT v FROM marker"))[0]?.[0] ?? null) : null;
  return {
    target: { holds: await marker(names.target), allowConnections: found.get(names.target)?.allowConnections ?? null },
    scratch: found.has(names.scratch) ? await marker(names.scratch) : "missing",
    oldCopy: found.has(names.oldCopy)
      ? { holds: await marker(names.oldCopy), allowConnections: found.get(names.oldCopy)?.allowConnections }
      : "missing",
  };
}

const UNTOUCHED = {
  target: { holds: "original", allowConnections: true },
  scratch: "restored",
  oldCopy: "missing",
};
const SWITCHED = {
  target: { holds: "restored", allowConnections: true },
  scratch: "missing",
  oldCopy: { holds: "original", allowConnections: true },
};

/** A target and a scratch database with their marker rows, and the names of a switch-over between them. */
async function pair() {
  const database = uniqueDatabaseName("swkill");
  const now = new Date(Date.now() - Math.floor(Math.random() * 1e9));
  const ts = restoreTimestamp(now);
  const names = { target: database, scratch: scratchDatabaseName(database, ts), oldCopy: oldCopyName(database, ts) };
  toDrop.push(...Object.values(names));
  for (const [name, v] of [
    [names.target, "original"],
    [names.scratch, "restored"],
  ] as const) {
    await createDatabase(name);
    await runPsqlQuery(testConnection(name), `CREATE TABLE marker (v text); INSERT INTO marker VALUES ('${v}')`);
  }
  return { database, now, names };
}

test("the application's sessions are ended, both renames happen, and the result says what production is", async () => {
  const { names } = await pair();
  // An application session on production, busy for longer than the test.
  const pg = testConnection(names.target);
  const app = execa("psql", ["-X", "-c", "SELECT pg_sleep(60)"], {
    env: {
      ...minimalChildEnv(),
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGUSER: pg.user,
      PGPASSWORD: pg.password ?? "",
      PGDATABASE: names.target,
    },
    extendEnv: false,
    stdin: "ignore",
    reject: false,
  });
  await waitFor(
    "the application's session",
    async () =>
      (
        await runPsqlQuery(
          testConnection(),
          `SELECT count(*) FROM pg_stat_activity WHERE datname = '${names.target}' AND pid <> pg_backend_pid()`,
        )
      )[0]?.[0],
    (n) => n === "1",
    10_000,
  );
  const logs: string[] = [];
  const r = await switchOver(serverConnection(pg), names, (t) => logs.push(t));
  expect(r).toMatchObject({
    found: "fresh",
    terminatedSessions: 1,
    allowConnections: { [names.target]: true, [names.oldCopy]: true },
  });
  expect(r.statements).toEqual([
    "BEGIN",
    expect.stringContaining("pg_terminate_backend"),
    `ALTER DATABASE "${names.target}" RENAME TO "${names.oldCopy}"`,
    `ALTER DATABASE "${names.scratch}" RENAME TO "${names.target}"`,
    "COMMIT",
  ]);
  expect(r.state).toMatch(
    /^Production is switched over: .* is the restored database and accepts connections; the original is kept as .*, which accepts connections\.$/,
  );
  expect(logs[0]).toMatch(/^Production has not been switched over/);
  expect(await production(names)).toEqual(SWITCHED);
  // The application's session was ended by the switch-over.
  expect((await app).exitCode).not.toBe(0);
}, 60_000);

/**
 * A run of the real switch-over step on a fresh target/scratch pair, executed by a console
 * process that is SIGKILLed at `point`, then marked interrupted by recovery; checks that
 * production is exactly untouched or exactly switched.
 */
async function killedAt(point: SwitchOverPoint) {
  // Production (the original) and the verified scratch copy, each with a marker row.
  const { database, now, names } = await pair();
  expect(await production(names)).toEqual(UNTOUCHED);

  const conn = testConnection(database);
  const user = await db.user.create({
    data: { email: `switch-kill-${randomUUID()}@example.test`, name: "Switch Kill", role: "approver" },
  });
  const actor = { id: user.id, email: user.email };
  const row = await db.database.create({
    data: {
      name: `switch-kill-${randomUUID().slice(0, 8)}`,
      environment: "production",
      host: conn.host,
      port: conn.port,
      dbName: database,
      user: conn.user,
      passwordEnc: seal(conn.password ?? ""),
      sslmode: "disable",
    },
  });
  const options = { database, now: now.toISOString() };
  const { runId, planHash } = await createRun({
    plan: switchOverPlanFrom(options),
    scenarioId: "database-corruption",
    databaseId: row.id,
    backupId: null,
    options,
    createdBy: actor,
  });

  const proc = spawn(
    process.execPath,
    [
      "--conditions=import",
      "--require",
      "./scripts/allow-server-only.cjs",
      "--require",
      "tsx/cjs",
      "tests/runner/switchover-child.ts",
      runId,
      planHash,
      user.id,
      user.email,
      String(LEASE_MS),
      String(RENEW_MS),
      childTmp,
      point,
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(proc);
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_c, s) => resolve(s)));
  await waitFor(
    `the child to pause at ${point}`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`the child exited on its own: ${out}`);
      return out;
    },
    (o) => o.includes(`PAUSED ${point}`),
    30_000,
  );
  proc.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");

  // Recovery marks the run interrupted once the dead console's lease has expired.
  const killed = await db.run.findUniqueOrThrow({ where: { id: runId } });
  await waitFor(
    "the lease to expire",
    async () => Date.now(),
    (t) => t > (killed.leaseExpiresAt?.getTime() ?? 0),
    LEASE_MS * 3,
  );
  expect((await recoverInterruptedRuns()).interrupted).toContain(runId);
  expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("interrupted");

  // Exactly one of the two states; only a kill after COMMIT finds it switched.
  const switched = point === "committed";
  expect(await production(names)).toEqual(switched ? SWITCHED : UNTOUCHED);
  return { runId, actor, names, database, switched };
}

describe("a console killed during the switch-over", () => {
  test.each(SWITCH_OVER_POINTS.map((p) => [p]))(
    "killed at %s: production is untouched or fully switched, and the resumed run says which",
    async (point: SwitchOverPoint) => {
      const { runId, actor, names, database, switched } = await killedAt(point);

      // The resumed run says what it found, then finishes the switch-over.
      const resumed = await resumeRun({ runId, actor, resolvePlan: resolveSwitchOverPlan });
      await resumed.done;
      const done = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { logs: true } });
      expect(done.status, done.verdict ?? "").toBe("succeeded");
      const texts = done.logs.map((l) => l.text);
      const resumedAt = texts.findIndex((t) => t.startsWith("Resumed by"));
      const afterResume = texts.slice(resumedAt);
      expect(afterResume).toContainEqual(
        expect.stringMatching(
          switched
            ? new RegExp(
                `^Production is switched over: ${database} on .* is the restored database and accepts connections`,
              )
            : new RegExp(
                `^Production has not been switched over: ${database} on .* is still the original database and accepts connections`,
              ),
        ),
      );
      expect(await production(names)).toEqual(SWITCHED);
    },
    60_000,
  );
});

test("a run killed after COMMIT and then cancelled says that production was switched over", async () => {
  const { runId, actor, names, database } = await killedAt("committed");
  await cancelRun({ runId, actor });
  const report = await cleanUpRun(runId);
  expect(report.note).toContain(
    `the scratch database ${names.scratch} is gone because the switch-over had completed: ${database} is the restored database and the original is kept as ${names.oldCopy}`,
  );
  expect(await production(names)).toEqual(SWITCHED);
}, 60_000);
