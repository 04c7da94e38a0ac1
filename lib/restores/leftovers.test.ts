import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import type { Manifest } from "@/lib/backups/manifest";
import { seal } from "@/lib/crypto/key";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import type { PgConnection } from "@/lib/postgres/connection";
import { secretDirsOf } from "@/lib/postgres/private-dir";
import { quoteIdent, runPsqlQuery } from "@/lib/postgres/run";
import { createFixtureDatabase, dropDatabase, testConnection } from "@/lib/postgres/test-support";
import { confirmAndStart, createRun } from "@/lib/runner/runs";
import { RUN_STATUSES, type RunStatus } from "@/lib/runner/states";
import type { Plan } from "@/lib/runner/types";
import { createStorage } from "@/lib/storage/create-storage";
import { existingDatabases } from "./database-admin";
import {
  cancelRestore,
  cleanUpAfterExecution,
  cleanUpRun,
  dropKeptScratch,
  keptScratchDatabases,
  sweepLeftovers,
} from "./leftovers";
import { isRestoreWorkDir, leftoversDecision, restoreLeftoversOf } from "./leftovers-rule";
import { planFor } from "./plans";

// Leftovers of a restore run (its downloaded backup, its scratch database, the passfiles of its
// PostgreSQL tools): a failed run keeps them for a resume until it is cancelled; a cancelled or
// succeeded run removes them (the scratch database stays only when kept for inspection, until
// dropped); start-up removes those of runs that ended without a clean-up. Real PostgreSQL.

describe("the rule", () => {
  const table: [RunStatus, boolean, { removeDownload: boolean; dropScratch: boolean }][] = [
    ["planned", false, { removeDownload: false, dropScratch: false }],
    ["queued", false, { removeDownload: false, dropScratch: false }],
    ["running", false, { removeDownload: false, dropScratch: false }],
    ["waiting", false, { removeDownload: false, dropScratch: false }],
    ["failed", false, { removeDownload: false, dropScratch: false }],
    ["interrupted", false, { removeDownload: false, dropScratch: false }],
    ["succeeded", false, { removeDownload: true, dropScratch: true }],
    ["cancelled", false, { removeDownload: true, dropScratch: true }],
    ["cancelled", true, { removeDownload: true, dropScratch: false }],
  ];
  test.each(table)("%s (keep scratch: %s)", (status, keep, expected) => {
    expect(leftoversDecision(status, keep)).toMatchObject(expected);
  });

  test("covers every run status", () => {
    expect(new Set(table.map(([s]) => s))).toEqual(new Set(RUN_STATUSES));
  });

  test.each([
    ["/tmp/lifeboat-restore-0123456789abcdef", true],
    ["/tmp/x/lifeboat-restore-0123456789abcdef", true],
    ["/tmp", false],
    ["/", false],
    ["/home/me", false],
    ["lifeboat-restore-0123456789abcdef", false],
    ["/tmp/lifeboat-restore-0123456789abcdef/..", false],
    ["/tmp/lifeboat-restore-<id>", false],
  ])("only a restore's own folder is removed: %s → %s", (dir, ok) => {
    expect(isRestoreWorkDir(dir)).toBe(ok);
  });

  test("a malformed stored plan is a clear error, not a crash", () => {
    expect(() => restoreLeftoversOf("{not json")).toThrow(UserError);
    expect(() => restoreLeftoversOf("{not json")).toThrow(/malformed run plan .*not JSON/);
    const plan = JSON.stringify({ scenarioId: "x", scenarioVersion: 1, steps: [], summary: { workDir: 5 } });
    expect(() => restoreLeftoversOf(plan)).toThrow(/malformed run plan's summary .*workDir/);
  });
});

describe("with a real restore", () => {
  let storageDir: string;
  let workRoot: string;
  let conn: PgConnection;
  let backup: { size: number; manifest: Manifest };
  const key = "backup.dump";
  const toDrop: string[] = [];
  let actor: { id: string; email: string };
  let databaseId: string;

  beforeAll(async () => {
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-leftovers-"));
    workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-leftovers-work-"));
    conn = await createFixtureDatabase("leftover");
    toDrop.push(conn.database);
    const made = await createBackup({
      conn,
      storage: createStorage({ kind: "local", path: storageDir, prefix: "" }),
      key,
      format: "custom",
    });
    backup = { size: made.size, manifest: made.manifest };
    const user = await db.user.create({
      data: { email: `leftovers-${randomUUID()}@example.test`, name: "Leftovers Test", role: "operator" },
    });
    actor = { id: user.id, email: user.email };
    const database = await db.database.create({
      data: {
        name: `leftovers-${randomUUID().slice(0, 8)}`,
        environment: "staging",
        host: conn.host,
        port: conn.port,
        dbName: conn.database,
        user: conn.user,
        passwordEnc: seal(conn.password ?? ""),
        sslmode: "disable",
      },
    });
    databaseId = database.id;
  }, 120_000);

  afterAll(async () => {
    for (const name of toDrop) await dropDatabase(name);
    if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true });
    if (workRoot) fs.rmSync(workRoot, { recursive: true, force: true });
  });

  let seconds = 0;
  /** A database-corruption plan with its own `now` (so its own scratch name and folder). */
  function plan(): Plan {
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, seconds++));
    return planFor({
      scenarioId: "database-corruption",
      target: { name: conn.database, environment: "staging", conn },
      backup: {
        storage: createStorage({ kind: "local", path: storageDir, prefix: "" }),
        key,
        size: backup.size,
        format: "custom",
        manifest: backup.manifest,
        locationName: "test folder",
      },
      now,
      options: { workDir: workRoot },
    });
  }

  /** Confirmed and executing here; `done` includes the clean-up that follows, as lib/restores/prepare.ts chains it. */
  async function started(
    p: Plan,
    resolve: (p: Plan) => Plan = (x) => x,
    opts: { cleanUp: boolean } = { cleanUp: true },
  ) {
    const { scratchDatabase, workDir } = p.summary as { scratchDatabase: string; workDir: string };
    toDrop.push(scratchDatabase, (p.summary as { oldCopy: string }).oldCopy);
    const { runId, planHash } = await createRun({
      plan: p,
      scenarioId: "database-corruption",
      databaseId,
      backupId: null,
      options: {},
      createdBy: actor,
    });
    const { done } = await confirmAndStart({
      runId,
      typedName: "x",
      expectedName: "x",
      planHash,
      actor,
      resolvePlan: async () => resolve(p),
    });
    return { runId, done: opts.cleanUp ? cleanUpAfterExecution(runId, done) : done, scratchDatabase, workDir };
  }

  async function scratchExists(name: string) {
    return (await existingDatabases(testConnection(), [name])).has(name);
  }

  async function waitForStatus(runId: string, status: string) {
    for (let i = 0; i < 600; i++) {
      const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
      if (run.status === status) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${runId} never became ${status}`);
  }

  test("a failed run keeps its download and scratch database for a resume; cancel and clean up removes them", async () => {
    const p = plan();
    // The scratch copy "does not verify": the steps before it left a download and a scratch database.
    const failing = (x: Plan): Plan => ({
      ...x,
      steps: x.steps.map((s) =>
        s.key === "verify-scratch"
          ? { ...s, run: async () => Promise.reject(new UserError("the row counts differ (test)")) }
          : s,
      ),
    });
    const { runId, done, scratchDatabase, workDir } = await started(p, failing);
    await done;
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("failed");
    expect(fs.existsSync(workDir)).toBe(true);
    expect(await scratchExists(scratchDatabase)).toBe(true);

    // Neither a clean-up nor a start-up touches a failed run: a resume needs both.
    expect((await cleanUpRun(runId)).applied).toBe(false);
    await sweepLeftovers();
    expect(fs.existsSync(workDir)).toBe(true);
    expect(await scratchExists(scratchDatabase)).toBe(true);

    const cancelled = await cancelRestore({ runId }, actor);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cleanup).toMatch(/removed the download folder .*dropped the scratch database/);
    expect(fs.existsSync(workDir)).toBe(false);
    expect(await scratchExists(scratchDatabase)).toBe(false);
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { logs: true } });
    expect(run.cleanedUpAt).not.toBeNull();
    expect(run.logs.some((l) => l.text.startsWith("Clean-up (the run was cancelled)"))).toBe(true);
    // Every PostgreSQL tool this process ran has exited: none of its passfiles is left.
    expect(await secretDirsOf(process.pid)).toEqual([]);
  }, 120_000);

  test("a run cancelled while it waits removes its leftovers; a kept scratch database is listed until dropped", async () => {
    for (const keepScratch of [false, true]) {
      const { runId, done, scratchDatabase, workDir } = await started(plan());
      await waitForStatus(runId, "waiting");
      expect(fs.existsSync(workDir)).toBe(true);
      expect(await scratchExists(scratchDatabase)).toBe(true);

      const cancelled = await cancelRestore({ runId, keepScratch }, actor);
      await done;
      // A cancel reaching an executing run ends it when its current step stops; the clean-up follows it.
      expect(cancelled.status).toBe("cancelling");
      expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("cancelled");
      expect(fs.existsSync(workDir)).toBe(false);
      expect(await scratchExists(scratchDatabase)).toBe(keepScratch);

      const kept = (await keptScratchDatabases()).filter((k) => k.runId === runId);
      if (!keepScratch) {
        expect(kept).toEqual([]);
        continue;
      }
      expect(kept).toEqual([expect.objectContaining({ runId, scratchDatabase, databaseId })]);
      // The start-up sweep leaves a kept scratch database alone.
      await sweepLeftovers();
      expect(await scratchExists(scratchDatabase)).toBe(true);

      const dropped = await dropKeptScratch({ runId });
      expect(dropped.dropped).toBe(true);
      expect(await scratchExists(scratchDatabase)).toBe(false);
      expect((await keptScratchDatabases()).filter((k) => k.runId === runId)).toEqual([]);
      await expect(dropKeptScratch({ runId })).rejects.toThrow(/kept no scratch database/);
    }
  }, 180_000);

  test("a run that ended without its clean-up (cancelled through another console) is cleaned up at start-up", async () => {
    const { runId, done, scratchDatabase, workDir } = await started(plan(), undefined, { cleanUp: false });
    // Cancelled through the database only, as another console would, and never cleaned up here.
    await waitForStatus(runId, "waiting");
    await db.run.update({ where: { id: runId }, data: { cancelRequested: true } });
    await done;
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("cancelled");
    expect(fs.existsSync(workDir)).toBe(true);
    expect(await scratchExists(scratchDatabase)).toBe(true);

    const reports = await sweepLeftovers();
    expect(reports.find((r) => r.runId === runId)).toMatchObject({
      applied: true,
      downloadRemoved: true,
      scratchDropped: true,
    });
    expect(fs.existsSync(workDir)).toBe(false);
    expect(await scratchExists(scratchDatabase)).toBe(false);
    // Once cleaned up, a run is not visited again.
    expect((await sweepLeftovers()).map((r) => r.runId)).not.toContain(runId);
  }, 120_000);

  test("a switch-over that stopped half-way keeps the scratch database: it may be the only restored copy", async () => {
    const { runId, done, scratchDatabase, workDir } = await started(plan(), undefined, { cleanUp: false });
    await waitForStatus(runId, "waiting");
    const step = await db.runStep.findFirstOrThrow({ where: { runId, status: "waiting" } });
    expect(step.key).toBe("confirm-switch-over");
    // Simulate the target being gone: rename it away for the duration of the clean-up.
    const away = `${conn.database}_away`;
    toDrop.push(away);
    await db.run.update({ where: { id: runId }, data: { cancelRequested: true } });
    await done;
    await runPsqlQuery(testConnection(), `ALTER DATABASE ${quoteIdent(conn.database)} RENAME TO ${quoteIdent(away)}`);
    try {
      const report = await cleanUpRun(runId);
      expect(report.note).toMatch(new RegExp(`${scratchDatabase} was kept because ${conn.database} does not exist`));
      expect(fs.existsSync(workDir)).toBe(false);
      expect(await scratchExists(scratchDatabase)).toBe(true);
      expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).cleanedUpAt).toBeNull();
    } finally {
      await runPsqlQuery(testConnection(), `ALTER DATABASE ${quoteIdent(away)} RENAME TO ${quoteIdent(conn.database)}`);
    }
    expect((await cleanUpRun(runId)).scratchDropped).toBe(true);
  }, 120_000);
});
