// A console process for lib/pitr/kill-recovery.test.ts, killed with SIGKILL (no clean-up code
// runs, as when a server dies) while a recovery instance starts.
// Run as: node --conditions=import --require ./scripts/allow-server-only.cjs --require tsx/cjs
//   tests/runner/pitr-child.ts run runId planHash userId email leaseMs renewMs
//     confirms and executes a point-in-time restore run the test planned (prepareRun);
//   tests/runner/pitr-child.ts engine databaseId baseBackupLabel targetJson
//     starts a recovery instance with the engine alone (no run).
import { db } from "@/lib/db";
import { startRecoveryInstance, type RecoveryTarget } from "@/lib/pitr/recovery";
import { confirmRun } from "@/lib/restores/prepare";
import { typedConfirmationOf } from "@/lib/restores/typed-confirmation";
import { configureRunner } from "@/lib/runner/config";

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "run") {
    const [runId, planHash, userId, email, leaseMs, renewMs] = args;
    if (!runId || !planHash || !userId || !email)
      throw new Error("usage: pitr-child.ts run runId planHash userId email leaseMs renewMs");
    configureRunner({ leaseMs: Number(leaseMs), renewMs: Number(renewMs) });
    const run = await db.run.findUniqueOrThrow({
      where: { id: runId },
      include: { database: { select: { name: true, environment: true, dbName: true } } },
    });
    await confirmRun(
      { runId, typedName: typedConfirmationOf(run.database), planHash },
      { id: userId, email, name: "PITR kill test", role: "approver" },
    );
    process.stdout.write(`CONFIRMED ${runId}\n`);
    // The runner works in the background; the test kills this process during the restore step.
    await new Promise(() => {});
  } else if (mode === "engine") {
    const [databaseId, label, targetJson] = args;
    if (!databaseId || !label || !targetJson)
      throw new Error("usage: pitr-child.ts engine databaseId label targetJson");
    const started = await startRecoveryInstance({
      databaseId,
      runId: null,
      target: JSON.parse(targetJson) as RecoveryTarget,
      baseBackupLabel: label,
    });
    // Reached only when the test did not kill this process in time.
    process.stdout.write(`READY ${started.instanceId}\n`);
    process.exit(0);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
