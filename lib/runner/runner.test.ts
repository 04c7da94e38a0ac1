import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { db } from "@/lib/db";
import { parseStoredJson } from "@/lib/stored-json";
import { UserError } from "@/lib/errors";
import { configureRunner, INSTANCE_ID, type RunnerTimings } from "@/lib/runner/config";
import { recoverInterruptedRuns } from "@/lib/runner/lease";
import { drainExecutions, startExecution } from "@/lib/runner/execute";
import { cancelRun, completeManualStep, confirmAndStart, createRun, resumeRun, type RunActor } from "@/lib/runner/runs";
import { lockTarget } from "@/lib/runner/lock";
import { activeRunFor, getRunView, listRuns } from "@/lib/runner/queries";
import type { Plan, PlannedStep, StepContext } from "@/lib/runner/types";

// Integration: Lifeboat's real SQLite database; plans are small async functions that wait on
// promises the test controls, so that each intermediate state can be observed.

let actor: RunActor;
let other: RunActor;
let defaults: RunnerTimings;

beforeAll(async () => {
  // Shorter than in production so that what another instance does is noticed quickly.
  defaults = configureRunner({ renewMs: 200, leaseMs: 5_000, waitPollMs: 100 });
  const a = await db.user.create({
    data: { email: `runner-${randomUUID()}@example.test`, name: "Runner Test", role: "operator" },
  });
  const b = await db.user.create({
    data: { email: `second-${randomUUID()}@example.test`, name: "Second Operator", role: "operator" },
  });
  actor = { id: a.id, email: a.email };
  other = { id: b.id, email: b.email };
});

afterAll(async () => {
  await drainExecutions();
  configureRunner(defaults);
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function newDatabase() {
  return db.database.create({
    data: {
      name: `amani-${randomUUID().slice(0, 8)}`,
      host: "127.0.0.1",
      dbName: `amani_${randomUUID().slice(0, 8)}`,
      user: "lifeboat",
    },
  });
}

function auto(key: string, run: (ctx: StepContext) => Promise<unknown>, command: string[] | null = null): PlannedStep {
  return { key, title: `Step ${key}`, kind: "automatic", command, description: `Does ${key}.`, run };
}

function manual(key: string): PlannedStep {
  return {
    key,
    title: `Step ${key}`,
    kind: "manual",
    command: ["kubectl", "rollout", "restart", "deploy/amani"],
    description: `Operator does ${key}.`,
  };
}

function planOf(steps: PlannedStep[]): Plan {
  return { scenarioId: "corruption", scenarioVersion: 1, steps, summary: { target: "amani" } };
}

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; last value: ${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x))}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

const runRow = (id: string) => db.run.findUniqueOrThrow({ where: { id } });
const stepRows = (runId: string) => db.runStep.findMany({ where: { runId }, orderBy: { index: "asc" } });
const stepStatus = async (runId: string, index: number) =>
  (await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index } } })).status;

/** Plans a run on the database and confirms it the way the wizard does. */
async function start(plan: Plan, database: { id: string; dbName: string }, who: RunActor = actor) {
  const { runId, planHash } = await createRun({
    plan,
    scenarioId: plan.scenarioId,
    databaseId: database.id,
    backupId: null,
    options: { note: "test" },
    createdBy: who,
  });
  const { done } = await confirmAndStart({
    runId,
    typedName: ` ${database.dbName} `,
    expectedName: database.dbName,
    planHash,
    actor: who,
    resolvePlan: async () => plan,
  });
  return { runId, done };
}

async function refusal(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe("executing a run", () => {
  test("steps run in order; every transition, time and result is persisted; the lock is held then released", async () => {
    const database = await newDatabase();
    const order: string[] = [];
    const restoring = gate();
    let seenByVerify: unknown;
    const plan = planOf([
      auto("download", async () => {
        order.push("download");
        return { path: "/tmp/x.dump", bytes: 42 };
      }),
      auto("restore", async () => {
        order.push("restore");
        await restoring.opened;
        return { tables: 8 };
      }),
      auto("verify", async (ctx) => {
        order.push("verify");
        seenByVerify = ctx.results;
        return { verdict: "Restored, 8 tables, row counts match the manifest." };
      }),
      auto("cleanup", async () => {
        order.push("cleanup");
        return { removed: 1 };
      }),
    ]);
    const before = Date.now();
    const { runId, done } = await start(plan, database);

    await waitFor(
      "restore running",
      () => stepStatus(runId, 1),
      (s) => s === "running",
    );
    const run = await runRow(runId);
    expect(run.status).toBe("running");
    expect(run.confirmedBy).toBe(actor.email);
    expect(run.leaseOwner).toBe(INSTANCE_ID);
    expect(run.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(run.startedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const [download, restore, verify] = await stepRows(runId);
    expect(download).toMatchObject({ status: "succeeded", result: JSON.stringify({ path: "/tmp/x.dump", bytes: 42 }) });
    expect(download!.finishedAt!.getTime()).toBeGreaterThanOrEqual(download!.startedAt!.getTime());
    expect(restore).toMatchObject({ status: "running", finishedAt: null });
    expect(restore!.startedAt).not.toBeNull();
    expect(verify).toMatchObject({ status: "pending", startedAt: null });
    expect(await activeRunFor(database.id)).toMatchObject({ runId, status: "running", holder: actor.email });

    const view = await getRunView(runId);
    expect(view.run).toMatchObject({
      status: "running",
      active: true,
      holdsDatabase: true,
      databaseName: database.name,
    });
    expect(view.steps[1]!.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(view.steps[0]!.elapsedMs).toBe(download!.finishedAt!.getTime() - download!.startedAt!.getTime());
    expect(view.steps[0]!.description).toBe("Does download.");

    restoring.open();
    await done;
    const finished = await runRow(runId);
    expect(finished).toMatchObject({
      status: "succeeded",
      verdict: "Restored, 8 tables, row counts match the manifest.",
      leaseOwner: null,
      leaseExpiresAt: null,
    });
    expect(finished.finishedAt).not.toBeNull();
    expect(order).toEqual(["download", "restore", "verify", "cleanup"]);
    expect(seenByVerify).toEqual({ download: { path: "/tmp/x.dump", bytes: 42 }, restore: { tables: 8 } });
    expect((await stepRows(runId)).map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(await activeRunFor(database.id)).toBeNull();
    expect(await db.runLock.count({ where: { runId } })).toBe(0);
    const history = await listRuns({ databaseId: database.id });
    expect(history.runs.map((r) => [r.id, r.status])).toEqual([[runId, "succeeded"]]);
    expect(await db.auditEvent.count({ where: { targetType: "run", targetId: runId, action: "run.confirm" } })).toBe(1);
  });

  test("log lines and progress are persisted while the step runs, in batches, and the last figures at its end", async () => {
    const database = await newDatabase();
    const halfway = gate();
    const finish = gate();
    const plan = planOf([
      auto("restore", async (ctx) => {
        ctx.log("pg_restore: connecting to database", "stderr");
        for (let i = 0; i <= 50; i++) ctx.progress(i, 100);
        ctx.log("pg_restore: creating TABLE users");
        halfway.open();
        await finish.opened;
        for (let i = 51; i <= 100; i++) ctx.progress(i, 100);
        ctx.log("done", "stdout");
        return null;
      }),
    ]);
    const { runId, done } = await start(plan, database);
    await halfway.opened;
    // Written by the timers while the step is still running, not only when it ends.
    const mid = await waitFor(
      "progress 50/100 and two log lines",
      async () => ({
        step: await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: 0 } } }),
        logs: await db.runLog.findMany({ where: { runId, stepIndex: 0 }, orderBy: { id: "asc" } }),
      }),
      (v) => v.step.bytesDone === 50n && v.logs.some((l) => l.text === "pg_restore: creating TABLE users"),
      3_000,
    );
    expect(mid.step.status).toBe("running");
    expect(mid.step.bytesTotal).toBe(100n);
    expect(mid.logs.find((l) => l.text.startsWith("pg_restore: connecting"))?.stream).toBe("stderr");

    const firstPoll = await getRunView(runId);
    const cursor = firstPoll.nextLogId;
    expect(firstPoll.logs.map((l) => l.text)).toContain("pg_restore: creating TABLE users");
    expect(firstPoll.steps[0]).toMatchObject({ bytesDone: 50, bytesTotal: 100 });

    finish.open();
    await done;
    const step = await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: 0 } } });
    expect([step.bytesDone, step.bytesTotal]).toEqual([100n, 100n]);
    const later = await getRunView(runId, { afterLogId: cursor });
    expect(later.logs.every((l) => l.id > cursor)).toBe(true);
    expect(later.logs.map((l) => l.text)).toEqual(
      expect.arrayContaining(["done", "Step 1 succeeded: Step restore", "Run succeeded: All 1 steps succeeded."]),
    );
    expect(later.logs.map((l) => l.text)).not.toContain("pg_restore: creating TABLE users");
    // Ids follow the order the lines were logged in.
    const all = await db.runLog.findMany({ where: { runId }, orderBy: { id: "asc" } });
    const texts = all.map((l) => l.text);
    expect(texts.indexOf("pg_restore: connecting to database")).toBeLessThan(
      texts.indexOf("pg_restore: creating TABLE users"),
    );
    expect(texts.indexOf("pg_restore: creating TABLE users")).toBeLessThan(texts.indexOf("done"));
  });

  test("progress is written at most about twice a second however often a step reports it", async () => {
    const database = await newDatabase();
    // Rows this process's connection has changed so far (SQLite): only this step writes meanwhile.
    const changes = async () =>
      Number((await db.$queryRawUnsafe<{ n: bigint | number }[]>("SELECT total_changes() AS n"))[0]!.n);
    const plan = planOf([
      auto("copy", async (ctx) => {
        const before = await changes();
        const started = Date.now();
        let calls = 0;
        while (Date.now() - started < 1_500) {
          ctx.progress(++calls, 1_000_000);
          await new Promise((r) => setTimeout(r, 2));
        }
        return { calls, writes: (await changes()) - before };
      }),
    ]);
    // No lease renewal during these 1.5 s, so that every change counted is a progress write.
    const previous = configureRunner({ renewMs: 4_000 });
    let runId: string;
    try {
      const started = await start(plan, database);
      runId = started.runId;
      await started.done;
    } finally {
      configureRunner(previous);
    }
    const stored = (await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: 0 } } })).result;
    const { calls, writes } = parseStoredJson(
      stored ?? "null",
      z.object({ calls: z.number(), writes: z.number() }),
      "test result",
    );
    expect(calls).toBeGreaterThan(200);
    // 1.5 s at ≤ 2 writes/s: at 0, 0.5, 1 and 1.5 s (unthrottled, one per call), plus the
    // batch holding the "Step 1 of 1 started" log line.
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(5);
    const step = await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: 0 } } });
    expect(step.bytesDone).toBe(BigInt(calls));
  });

  test("a failing step fails the run with its message, runs nothing after it and releases the database", async () => {
    const database = await newDatabase();
    let afterRan = false;
    const plan = planOf([
      auto("download", async () => ({ ok: true })),
      auto("restore", async (ctx) => {
        ctx.log("pg_restore: error: could not write to file: No space left on device", "stderr");
        throw new UserError("pg_restore stopped: no space left on device (exit code 1).");
      }),
      auto("verify", async () => {
        afterRan = true;
        return null;
      }),
    ]);
    const { runId, done } = await start(plan, database);
    await done;
    const run = await runRow(runId);
    expect(run.status).toBe("failed");
    expect(run.verdict).toBe(
      "Step 2 (Step restore) failed: pg_restore stopped: no space left on device (exit code 1).",
    );
    expect(run.finishedAt).not.toBeNull();
    expect((await stepRows(runId)).map((s) => [s.status, s.error])).toEqual([
      ["succeeded", null],
      ["failed", "pg_restore stopped: no space left on device (exit code 1)."],
      ["pending", null],
    ]);
    expect(afterRan).toBe(false);
    expect(await activeRunFor(database.id)).toBeNull();
    expect((await db.runLog.findMany({ where: { runId, stepIndex: 1 } })).map((l) => l.text)).toContain(
      "pg_restore: error: could not write to file: No space left on device",
    );

    // An unexpected error's detail stays in the server log; the run says so.
    const crash = await start(
      planOf([auto("boom", async () => Promise.reject(new TypeError("secret detail: postgres://u:pw@h/db")))]),
      database,
    );
    await crash.done;
    const crashed = await runRow(crash.runId);
    expect(crashed.status).toBe("failed");
    expect(crashed.verdict).toMatch(/failed unexpectedly; the details are in the server log/);
    expect(crashed.verdict).not.toContain("secret");
  });

  test("a manual step puts the run in waiting until an operator completes it, with a note", async () => {
    const database = await newDatabase();
    let afterRan = false;
    let seen: unknown;
    const plan = planOf([
      auto("restore", async () => ({ tables: 8 })),
      manual("deploy"),
      auto("health", async (ctx) => {
        afterRan = true;
        seen = ctx.results.deploy;
        return { status: 200 };
      }),
    ]);
    const { runId, done } = await start(plan, database);
    await waitFor(
      "the run waiting",
      () => runRow(runId),
      (r) => r.status === "waiting",
    );
    expect(await stepStatus(runId, 1)).toBe("waiting");
    expect(await stepStatus(runId, 2)).toBe("pending");
    expect(afterRan).toBe(false);

    expect((await refusal(completeManualStep({ runId, stepIndex: 2, note: null, actor: other }))).message).toMatch(
      /Step 3 \(Step health\) is not waiting for an operator: it is pending/,
    );
    expect(await stepStatus(runId, 2)).toBe("pending");

    await completeManualStep({ runId, stepIndex: 1, note: "  rolled out v42  ", actor: other });
    await done;
    const run = await runRow(runId);
    expect(run.status).toBe("succeeded");
    expect(run.verdict).toBe("All 3 steps succeeded.");
    const deploy = (await stepRows(runId))[1]!;
    expect(deploy).toMatchObject({ status: "succeeded", completedBy: other.email, note: "rolled out v42" });
    expect(afterRan).toBe(true);
    expect(seen).toEqual({ note: "rolled out v42", completedBy: other.email });
    expect((await refusal(completeManualStep({ runId, stepIndex: 1, note: "again", actor: other }))).message).toMatch(
      /not waiting/,
    );
  });

  test("a manual step completed or a run cancelled through another console instance is noticed here", async () => {
    const database = await newDatabase();
    const plan = planOf([manual("dns"), auto("after", async () => ({ verdict: "switched" }))]);
    const { runId, done } = await start(plan, database);
    await waitFor(
      "waiting",
      () => runRow(runId),
      (r) => r.status === "waiting",
    );
    // What completeManualStep writes when another instance serves the request (no local wake-up).
    await db.runStep.update({
      where: { runId_index: { runId, index: 0 } },
      data: { status: "succeeded", completedBy: other.email, note: "TTL 60" },
    });
    await done;
    expect(await runRow(runId)).toMatchObject({ status: "succeeded", verdict: "switched" });

    const long = await start(
      planOf([
        auto(
          "copy",
          (ctx) =>
            new Promise((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
        ),
      ]),
      database,
    );
    await waitFor(
      "copy running",
      () => stepStatus(long.runId, 0),
      (st) => st === "running",
    );
    // What cancelRun writes on another instance: this one's lease renewal sees it and aborts the step.
    await db.run.update({ where: { id: long.runId }, data: { cancelRequested: true } });
    await long.done;
    expect((await runRow(long.runId)).status).toBe("cancelled");
  });

  test("cancel stops the run before its next step and aborts the running step's signal", async () => {
    const database = await newDatabase();
    const release = gate();
    let signal: AbortSignal | undefined;
    let nextRan = false;
    const plan = planOf([
      auto("download", async (ctx) => {
        signal = ctx.signal;
        await release.opened; // this step ignores the signal: it finishes, then the run stops
        return { path: "/tmp/x" };
      }),
      auto("restore", async () => {
        nextRan = true;
        return null;
      }),
    ]);
    const { runId, done } = await start(plan, database);
    await waitFor(
      "download running",
      () => stepStatus(runId, 0),
      (s) => s === "running",
    );
    expect(await cancelRun({ runId, actor: other })).toEqual({ runId, status: "cancelling" });
    expect(signal?.aborted).toBe(true);
    expect((await runRow(runId)).status).toBe("running");
    release.open();
    await done;
    const run = await runRow(runId);
    expect(run.status).toBe("cancelled");
    expect(run.verdict).toBe("Cancelled before step 2 of 2 (Step restore); 1 step had succeeded.");
    expect((await stepRows(runId)).map((s) => s.status)).toEqual(["succeeded", "skipped"]);
    expect(nextRan).toBe(false);
    expect(await activeRunFor(database.id)).toBeNull();
    expect((await refusal(cancelRun({ runId, actor: other }))).message).toMatch(/already ended \(cancelled\)/);

    // A step that honours the signal stops at once; a waiting run is cancelled too.
    const long = await start(
      planOf([
        auto(
          "copy",
          (ctx) =>
            new Promise((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
        ),
        auto("never", async () => null),
      ]),
      database,
    );
    await waitFor(
      "copy running",
      () => stepStatus(long.runId, 0),
      (s) => s === "running",
    );
    await cancelRun({ runId: long.runId, actor: other });
    await long.done;
    expect(await runRow(long.runId)).toMatchObject({
      status: "cancelled",
      verdict: "Cancelled during step 1 of 2 (Step copy); 0 steps had succeeded.",
    });
    expect((await stepRows(long.runId)).map((s) => s.status)).toEqual(["failed", "skipped"]);

    const waiting = await start(planOf([manual("deploy"), auto("after", async () => null)]), database);
    await waitFor(
      "waiting",
      () => runRow(waiting.runId),
      (r) => r.status === "waiting",
    );
    await cancelRun({ runId: waiting.runId, actor: other });
    await waiting.done;
    expect((await runRow(waiting.runId)).status).toBe("cancelled");
    expect((await stepRows(waiting.runId)).map((s) => s.status)).toEqual(["skipped", "skipped"]);
  });
});

describe("confirmation", () => {
  test("a wrong typed name or a changed plan hash is refused and nothing runs", async () => {
    const database = await newDatabase();
    let ran = 0;
    const plan = planOf([auto("restore", async () => ++ran)]);
    const { runId, planHash } = await createRun({
      plan,
      scenarioId: "corruption",
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: actor,
    });
    const resolvePlan = async () => plan;

    const wrongName = await refusal(
      confirmAndStart({ runId, typedName: "amani_staging", expectedName: "amani", planHash, actor, resolvePlan }),
    );
    expect(wrongName.message).toBe(
      'You typed "amani_staging", but this run\'s target is "amani": type "amani" exactly to confirm. Nothing was started.',
    );
    expect(
      (
        await refusal(
          confirmAndStart({ runId, typedName: "Amani", expectedName: "amani", planHash, actor, resolvePlan }),
        )
      ).message,
    ).toMatch(/You typed "Amani"/);
    expect(
      (await refusal(confirmAndStart({ runId, typedName: "  ", expectedName: "amani", planHash, actor, resolvePlan })))
        .message,
    ).toMatch(/Type the target database's name/);

    const changed = await refusal(
      confirmAndStart({
        runId,
        typedName: "amani",
        expectedName: "amani",
        planHash: "0".repeat(64),
        actor,
        resolvePlan,
      }),
    );
    expect(changed.message).toBe("The plan changed since it was shown: review it again.");

    await new Promise((r) => setTimeout(r, 300));
    expect(ran).toBe(0);
    expect(await runRow(runId)).toMatchObject({
      status: "planned",
      confirmedBy: null,
      confirmedAt: null,
      leaseOwner: null,
    });
    expect(await activeRunFor(database.id)).toBeNull();

    const { done } = await confirmAndStart({
      runId,
      typedName: "amani",
      expectedName: "amani",
      planHash,
      actor,
      resolvePlan,
    });
    expect(
      (
        await refusal(
          confirmAndStart({ runId, typedName: "amani", expectedName: "amani", planHash, actor, resolvePlan }),
        )
      ).message,
    ).toMatch(/already confirmed/);
    await done;
    expect(ran).toBe(1);
  });

  test("a second run against the same database is refused, naming the holder; another database is not affected", async () => {
    const database = await newDatabase();
    const release = gate();
    const first = await start(planOf([auto("restore", () => release.opened.then(() => null))]), database, actor);
    await waitFor(
      "first running",
      () => stepStatus(first.runId, 0),
      (s) => s === "running",
    );

    let secondRan = false;
    const plan = planOf([
      auto("restore", async () => {
        secondRan = true;
        return null;
      }),
    ]);
    const second = await createRun({
      plan,
      scenarioId: "corruption",
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: other,
    });
    const refused = await refusal(
      confirmAndStart({
        runId: second.runId,
        typedName: "amani",
        expectedName: "amani",
        planHash: second.planHash,
        actor: other,
        resolvePlan: async () => plan,
      }),
    );
    expect(refused.status).toBe(409);
    expect(refused.message).toMatch(
      new RegExp(
        `^A run is already active on ${database.name}: corruption started by ${actor.email.replace(/[.+]/g, "\\$&")} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(run ${first.runId}, running\\)\\. Nothing was started\\.$`,
      ),
    );
    expect(await runRow(second.runId)).toMatchObject({ status: "planned", confirmedBy: null });
    expect(await activeRunFor(database.id)).toMatchObject({ runId: first.runId });

    // The same operator on another database is free to go.
    const elsewhere = await start(planOf([auto("restore", async () => null)]), await newDatabase(), other);
    await elsewhere.done;
    expect((await runRow(elsewhere.runId)).status).toBe("succeeded");

    release.open();
    await first.done;
    const again = await confirmAndStart({
      runId: second.runId,
      typedName: "amani",
      expectedName: "amani",
      planHash: second.planHash,
      actor: other,
      resolvePlan: async () => plan,
    });
    await again.done;
    expect(secondRan).toBe(true);
    expect((await runRow(second.runId)).status).toBe("succeeded");
  });

  test("if the plan about to execute differs from the confirmed one, nothing runs and the run fails saying why", async () => {
    const database = await newDatabase();
    let ran = false;
    const shown = planOf([auto("restore", async () => null, ["pg_restore", "--", "/tmp/a.dump"])]);
    const rebuilt = planOf([
      auto(
        "restore",
        async () => {
          ran = true;
          return null;
        },
        ["pg_restore", "--", "/tmp/b.dump"],
      ),
    ]);
    const { runId, planHash } = await createRun({
      plan: shown,
      scenarioId: "corruption",
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: actor,
    });
    const { done } = await confirmAndStart({
      runId,
      typedName: "amani",
      expectedName: "amani",
      planHash,
      actor,
      resolvePlan: async () => rebuilt,
    });
    await done;
    expect(ran).toBe(false);
    const run = await runRow(runId);
    expect(run.status).toBe("failed");
    expect(run.verdict).toMatch(
      /The plan changed since it was confirmed \(the command of step 1 \(Step restore\) changed\), so nothing was run/,
    );
    expect(await stepStatus(runId, 0)).toBe("pending");
    expect(await activeRunFor(database.id)).toBeNull();
  });

  test("a stored plan changed outside Lifeboat fails the run with a message naming it; the run page says so too", async () => {
    const database = await newDatabase();
    let ran = false;
    const plan = planOf([auto("restore", async () => ((ran = true), null))]);
    const { runId, planHash } = await createRun({
      plan,
      scenarioId: "corruption",
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: actor,
    });
    await db.run.update({
      where: { id: runId },
      data: { plan: '{"scenarioId": "corruption", "steps": "not a list"}' },
    });
    const { done } = await confirmAndStart({
      runId,
      typedName: "amani",
      expectedName: "amani",
      planHash,
      actor,
      resolvePlan: async () => plan,
    });
    await done;
    expect(ran).toBe(false);
    const run = await runRow(runId);
    expect(run.status).toBe("failed");
    expect(run.verdict).toMatch(
      /nothing was run: Lifeboat's database holds a malformed run plan \(Run\.plan\) \(scenarioVersion: .*steps: /,
    );
    const e = await refusal(getRunView(runId));
    expect(e.message).toMatch(/malformed run plan/);
    expect(e.status).toBe(500);
  });

  test("a status word outside the lifecycle is refused, never shown as another state", async () => {
    const database = await newDatabase();
    const { runId } = await createRun({
      plan: planOf([manual("tick")]),
      scenarioId: "corruption",
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: actor,
    });
    await db.run.update({ where: { id: runId }, data: { status: "finished" } });
    expect((await refusal(getRunView(runId))).message).toMatch(
      /malformed run status \("finished" is none of planned, queued/,
    );
  });
});

describe("leases, recovery and resume", () => {
  /** A run as a dead instance leaves it: "running", step `runningIndex` running, lease expired, database held. */
  async function abandonedRun(
    plan: Plan,
    database: { id: string },
    runningIndex: number,
    lease: { owner: string; expiresAt: Date },
  ) {
    const { runId } = await createRun({
      plan,
      scenarioId: plan.scenarioId,
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: actor,
    });
    const started = new Date(Date.now() - 60_000);
    await db.run.update({
      where: { id: runId },
      data: {
        status: "running",
        confirmedBy: actor.email,
        confirmedAt: started,
        startedAt: started,
        leaseOwner: lease.owner,
        leaseExpiresAt: lease.expiresAt,
      },
    });
    for (let i = 0; i < runningIndex; i++) {
      await db.runStep.update({
        where: { runId_index: { runId, index: i } },
        data: {
          status: "succeeded",
          startedAt: started,
          finishedAt: started,
          result: JSON.stringify({ from: `step ${i}` }),
        },
      });
    }
    await db.runStep.update({
      where: { runId_index: { runId, index: runningIndex } },
      data: { status: "running", startedAt: started },
    });
    await db.runLock.create({
      data: {
        target: lockTarget(await db.database.findUniqueOrThrow({ where: { id: database.id } })),
        databaseId: database.id,
        runId,
        holder: actor.email,
      },
    });
    return runId;
  }

  test("a run whose instance died is marked interrupted (never succeeded), keeps the database, and resumes from that step", async () => {
    const database = await newDatabase();
    const calls = { download: 0, restore: 0, verify: 0 };
    let restoreSaw: unknown;
    const plan = planOf([
      auto("download", async () => ({ n: ++calls.download })),
      auto("restore", async (ctx) => {
        calls.restore++;
        restoreSaw = ctx.results.download;
        return { tables: 8 };
      }),
      auto("verify", async () => ({ n: ++calls.verify, verdict: "Restored, 8 tables." })),
    ]);
    const dead = await abandonedRun(plan, database, 1, {
      owner: "dead-instance",
      expiresAt: new Date(Date.now() - 1_000),
    });
    // A live instance's run (lease still valid) on another database is left alone.
    const liveDatabase = await newDatabase();
    const live = await abandonedRun(plan, liveDatabase, 0, {
      owner: "live-instance",
      expiresAt: new Date(Date.now() + 60_000),
    });

    const { interrupted } = await recoverInterruptedRuns();
    expect(interrupted).not.toContain(live);
    const run = await runRow(dead);
    expect(run).toMatchObject({ status: "interrupted", leaseOwner: null, verdict: null });
    expect(run.status).not.toBe("succeeded");
    const steps = await stepRows(dead);
    expect(steps.map((s) => s.status)).toEqual(["succeeded", "interrupted", "pending"]);
    expect(steps[1]!.note).toMatch(
      /^The console stopped during this step \(its lease expired at .+\)\. Resume the run to re-run this step from the start\.$/,
    );
    expect(await activeRunFor(database.id)).toMatchObject({ runId: dead, status: "interrupted" });
    expect((await runRow(live)).status).toBe("running");
    expect(await stepStatus(live, 0)).toBe("running");
    // Recovering again changes nothing.
    expect((await recoverInterruptedRuns()).interrupted).not.toContain(dead);

    // The database stays held: another run is refused until this one is resumed or cancelled.
    const blocked = await createRun({
      plan,
      scenarioId: "corruption",
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: other,
    });
    expect(
      (
        await refusal(
          confirmAndStart({
            runId: blocked.runId,
            typedName: "amani",
            expectedName: "amani",
            planHash: blocked.planHash,
            actor: other,
            resolvePlan: async () => plan,
          }),
        )
      ).message,
    ).toMatch(new RegExp(`\\(run ${dead}, interrupted\\)\\. It was interrupted: resume it or cancel it first\\.`));

    const resumed = await resumeRun({ runId: dead, actor: other, resolvePlan: async () => plan });
    expect(resumed.fromStep).toBe(1);
    await resumed.done;
    const finished = await runRow(dead);
    expect(finished).toMatchObject({ status: "succeeded", verdict: "Restored, 8 tables." });
    expect(calls).toEqual({ download: 0, restore: 1, verify: 1 });
    expect(restoreSaw).toEqual({ from: "step 0" });
    expect(await activeRunFor(database.id)).toBeNull();
    expect((await refusal(resumeRun({ runId: dead, actor: other, resolvePlan: async () => plan }))).message).toMatch(
      /Only an interrupted or failed run can be resumed; this one is succeeded/,
    );

    await db.run.update({ where: { id: live }, data: { status: "cancelled", leaseOwner: null, leaseExpiresAt: null } });
    await db.runLock.deleteMany({ where: { runId: live } });
  });

  test("a run left waiting for an operator by a dead instance is interrupted too, and resuming waits for the operator again", async () => {
    const database = await newDatabase();
    let after = 0;
    const plan = planOf([auto("restore", async () => null), manual("deploy"), auto("health", async () => ++after)]);
    const runId = await abandonedRun(plan, database, 1, {
      owner: "dead-instance",
      expiresAt: new Date(Date.now() - 1_000),
    });
    await db.run.update({ where: { id: runId }, data: { status: "waiting" } });
    await db.runStep.update({ where: { runId_index: { runId, index: 1 } }, data: { status: "waiting" } });
    await recoverInterruptedRuns();
    expect((await runRow(runId)).status).toBe("interrupted");
    expect((await stepRows(runId))[1]).toMatchObject({
      status: "interrupted",
      note: expect.stringMatching(/while this step waited for an operator/) as unknown,
    });

    const resumed = await resumeRun({ runId, actor, resolvePlan: async () => plan });
    await waitFor(
      "waiting again",
      () => runRow(runId),
      (r) => r.status === "waiting",
    );
    await completeManualStep({ runId, stepIndex: 1, note: null, actor });
    await resumed.done;
    expect((await runRow(runId)).status).toBe("succeeded");
    expect(after).toBe(1);
  });

  test("a failed run resumes from the failed step and takes the database again, unless someone else holds it now", async () => {
    const database = await newDatabase();
    let attempt = 0;
    let downloads = 0;
    const secondAttempt = gate();
    const plan = planOf([
      auto("download", async () => ({ n: ++downloads })),
      auto("restore", async () => {
        if (++attempt === 1) throw new UserError("the target refused connections");
        await secondAttempt.opened;
        return { verdict: `restored on attempt ${attempt}` };
      }),
    ]);
    const { runId, done } = await start(plan, database);
    await done;
    expect((await runRow(runId)).status).toBe("failed");
    expect(await activeRunFor(database.id)).toBeNull();

    const release = gate();
    const meanwhile = await start(planOf([auto("x", () => release.opened.then(() => null))]), database, other);
    await waitFor(
      "the other run running",
      () => stepStatus(meanwhile.runId, 0),
      (s) => s === "running",
    );
    const refused = await refusal(resumeRun({ runId, actor, resolvePlan: async () => plan }));
    expect(refused.message).toMatch(
      new RegExp(
        `^A run is already active on ${database.name}: corruption started by .+ \\(run ${meanwhile.runId}, running\\)\\. The run was not resumed\\.$`,
      ),
    );
    expect((await runRow(runId)).status).toBe("failed");
    release.open();
    await meanwhile.done;

    const resumed = await resumeRun({ runId, actor, resolvePlan: async () => plan });
    expect(resumed.fromStep).toBe(1);
    await waitFor(
      "restore running again",
      () => stepStatus(runId, 1),
      (st) => st === "running",
    );
    expect(await activeRunFor(database.id)).toMatchObject({ runId, holder: actor.email });
    expect(await stepStatus(runId, 0)).toBe("succeeded");
    secondAttempt.open();
    await resumed.done;
    expect(await runRow(runId)).toMatchObject({ status: "succeeded", verdict: "restored on attempt 2" });
    expect(downloads).toBe(1);
    expect(await activeRunFor(database.id)).toBeNull();
  });

  test("a failed run can be cancelled instead of resumed (to clean up); a cancelled or succeeded one cannot", async () => {
    const database = await newDatabase();
    const plan = planOf([
      auto("download", async () => ({ n: 1 })),
      auto("restore", async () => Promise.reject(new UserError("no space left"))),
      auto("verify", async () => null),
    ]);
    const { runId, done } = await start(plan, database);
    await done;
    expect((await runRow(runId)).status).toBe("failed");
    expect(await cancelRun({ runId, actor })).toEqual({ runId, status: "cancelled" });
    const run = await runRow(runId);
    expect(run).toMatchObject({ status: "cancelled", verdict: `Cancelled by ${actor.email} while failed.` });
    expect((await stepRows(runId)).map((st) => st.status)).toEqual(["succeeded", "failed", "skipped"]);
    expect(await activeRunFor(database.id)).toBeNull();
    expect((await refusal(resumeRun({ runId, actor, resolvePlan: async () => plan }))).message).toMatch(
      /Only an interrupted or failed run can be resumed; this one is cancelled/,
    );
    expect((await refusal(cancelRun({ runId, actor }))).message).toMatch(/already ended \(cancelled\)/);

    const ok = await start(planOf([auto("x", async () => null)]), database);
    await ok.done;
    expect((await refusal(cancelRun({ runId: ok.runId, actor }))).message).toMatch(/already ended \(succeeded\)/);
  });

  test("a queued run leased by another live instance is not claimed; once its lease expires it is", async () => {
    const database = await newDatabase();
    let ran = 0;
    const plan = planOf([auto("restore", async () => ++ran)]);
    const { runId } = await createRun({
      plan,
      scenarioId: "corruption",
      databaseId: database.id,
      backupId: null,
      options: {},
      createdBy: actor,
    });
    await db.run.update({
      where: { id: runId },
      data: { status: "queued", leaseOwner: "other-instance", leaseExpiresAt: new Date(Date.now() + 60_000) },
    });
    await startExecution(runId, async () => plan).done;
    expect(ran).toBe(0);
    expect(await runRow(runId)).toMatchObject({ status: "queued", leaseOwner: "other-instance" });

    await db.run.update({ where: { id: runId }, data: { leaseExpiresAt: new Date(Date.now() - 1) } });
    await startExecution(runId, async () => plan).done;
    expect(ran).toBe(1);
    expect((await runRow(runId)).status).toBe("succeeded");
  });

  test("an instance that lost its lease stops writing: the step it was running never becomes succeeded", async () => {
    const database = await newDatabase();
    const release = gate();
    let nextRan = false;
    const plan = planOf([
      auto("restore", () => release.opened.then(() => ({ tables: 8 }))),
      auto("verify", async () => {
        nextRan = true;
        return null;
      }),
    ]);
    const { runId, done } = await start(plan, database);
    await waitFor(
      "restore running",
      () => stepStatus(runId, 0),
      (s) => s === "running",
    );
    // What another instance's recovery does when this one stalls past its lease.
    await db.run.update({
      where: { id: runId },
      data: { status: "interrupted", leaseOwner: null, leaseExpiresAt: null },
    });
    await db.runStep.update({ where: { runId_index: { runId, index: 0 } }, data: { status: "interrupted" } });
    release.open();
    await done;
    expect(nextRan).toBe(false);
    expect((await runRow(runId)).status).toBe("interrupted");
    expect((await stepRows(runId)).map((s) => s.status)).toEqual(["interrupted", "pending"]);
  });
});
