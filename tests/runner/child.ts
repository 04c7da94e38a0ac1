// A console process for lib/runner/kill.test.ts: it confirms a run whose restore step never
// finishes, then waits to be killed (SIGKILL: no clean-up code runs, as when a server dies).
// Run as: node --conditions=import --require ./scripts/allow-server-only.cjs --require tsx/cjs
// tests/runner/child.ts databaseId userId email leaseMs renewMs
import { configureRunner } from "@/lib/runner/config";
import { confirmAndStart, createRun } from "@/lib/runner/runs";
import { killPlan } from "@/tests/runner/kill-plan";

const [databaseArg, userId, email, leaseMs, renewMs] = process.argv.slice(2);
if (!databaseArg || !userId || !email) throw new Error("usage: child.ts databaseId userId email leaseMs renewMs");
const databaseId: string = databaseArg;
configureRunner({ leaseMs: Number(leaseMs), renewMs: Number(renewMs) });
// Nothing else keeps this process alive while the restore step waits forever.
setInterval(() => undefined, 60_000);

const actor = { id: userId, email };
const plan = killPlan({
  download: async () => ({ from: "the child" }),
  restore: (log) => {
    log("restoring in the child; this step never finishes");
    return new Promise(() => undefined);
  },
});

async function main() {
  const { runId, planHash } = await createRun({
    plan,
    scenarioId: plan.scenarioId,
    databaseId,
    backupId: null,
    options: {},
    createdBy: actor,
  });
  await confirmAndStart({
    runId,
    typedName: "amani",
    expectedName: "amani",
    planHash,
    actor,
    resolvePlan: async () => plan,
  });
  process.stdout.write(`RUN ${runId}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
