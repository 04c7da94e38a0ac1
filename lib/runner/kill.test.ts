import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { db } from "@/lib/db";
import { recoverInterruptedRuns } from "@/lib/runner/lease";
import { resumeRun } from "@/lib/runner/runs";
import { getRunView } from "@/lib/runner/queries";
import { killPlan } from "@/tests/runner/kill-plan";

// A real console process is killed (SIGKILL) while a step runs: the run must end up
// "interrupted" (never "succeeded"), keep its database, and resume from that step here.

const ROOT = path.resolve(import.meta.dirname, "../..");
const LEASE_MS = 1_500;
const RENEW_MS = 250;
let child: ReturnType<typeof spawn> | undefined;

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("a console killed during a step leaves the run interrupted; resuming completes it from that step", async () => {
  const user = await db.user.create({
    data: { email: `kill-${randomUUID()}@example.test`, name: "Kill Test", role: "operator" },
  });
  const database = await db.database.create({
    data: {
      name: `amani-kill-${randomUUID().slice(0, 8)}`,
      host: "127.0.0.1",
      dbName: `amani_${randomUUID().slice(0, 8)}`,
      user: "lifeboat",
    },
  });

  const started = Date.now();

  // scripts/lib.sh run_ts's flags, but with tsx as a require hook instead of its CLI: the CLI
  // runs the script in a second node process, which a SIGKILL of the first would not stop.
  const proc = spawn(
    process.execPath,
    [
      "--conditions=import",
      "--require",
      "./scripts/allow-server-only.cjs",
      "--require",
      "tsx/cjs",
      "tests/runner/child.ts",
      database.id,
      user.id,
      user.email,
      String(LEASE_MS),
      String(RENEW_MS),
    ],
    // The environment is inherited: the same Lifeboat database as this test.
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  child = proc;
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const runId = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /RUN (\S+)\n/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then((e) =>
      reject(new Error(`the child exited (${e.code ?? e.signal}) before starting its run: ${stderr}`)),
    );
  });

  const running = await waitFor(
    "the restore step running in the child",
    () => db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index: 1 } } }),
    (s) => s.status === "running",
    20_000,
  );
  // Its log line is written by the child's next batch (within logFlushMs).
  await waitFor(
    "the child's log line",
    () => db.runLog.count({ where: { runId, stepIndex: 1, text: { startsWith: "restoring in the child" } } }),
    (n) => n === 1,
    5_000,
  );
  const childStartMs = Date.now() - started;
  expect(running.startedAt).not.toBeNull();
  const leased = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(leased.status).toBe("running");
  expect(leased.leaseOwner).toMatch(new RegExp(`^${proc.pid}-`));

  proc.kill("SIGKILL");
  expect((await exited).signal).toBe("SIGKILL");
  const killedAt = Date.now();

  // Nobody has touched it yet: still "running" under the dead instance's lease.
  expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");
  // While the lease is valid the run is left alone (its instance might be alive).
  const early = await recoverInterruptedRuns();
  const expiresAt = (await db.run.findUniqueOrThrow({ where: { id: runId } })).leaseExpiresAt!;
  if (expiresAt.getTime() > Date.now() + 50) expect(early.interrupted).not.toContain(runId);

  await waitFor(
    "the dead instance's lease to expire",
    async () => Date.now(),
    (now) => now > expiresAt.getTime(),
    LEASE_MS * 3,
  );
  const { interrupted } = await recoverInterruptedRuns();
  const detectedMs = Date.now() - killedAt;
  expect(
    interrupted.includes(runId) || (await db.run.findUniqueOrThrow({ where: { id: runId } })).status === "interrupted",
  ).toBe(true);

  const view = await getRunView(runId);
  expect(view.run.status).toBe("interrupted");
  expect(view.run.holdsDatabase).toBe(true);
  expect(view.steps.map((s) => s.status)).toEqual(["succeeded", "interrupted", "pending"]);
  expect(view.steps[1]!.note).toMatch(/The console stopped during this step/);
  const texts = view.logs.map((l) => l.text);
  expect(texts).toContain("restoring in the child; this step never finishes");
  expect(
    texts.some((t) =>
      /The console executing this run stopped during step 2 \(Restore into a scratch database\)/.test(t),
    ),
  ).toBe(true);

  let downloads = 0;
  let restores = 0;
  const resumed = await resumeRun({
    runId,
    actor: { id: user.id, email: user.email },
    resolvePlan: async () =>
      killPlan({
        download: async () => ({ n: ++downloads }),
        restore: async (log) => {
          restores++;
          log("restoring again after the crash");
          return { tables: 8 };
        },
      }),
  });
  expect(resumed.fromStep).toBe(1);
  await resumed.done;
  const done = await getRunView(runId);
  expect(done.run.status).toBe("succeeded");
  expect(done.run.verdict).toBe("verified after the child");
  expect(done.run.holdsDatabase).toBe(false);
  expect([downloads, restores]).toEqual([0, 1]);
  console.log(
    `[kill test] child start to step running ${childStartMs} ms; kill to interrupted ${detectedMs} ms (lease ${LEASE_MS} ms)`,
  );
}, 60_000);
