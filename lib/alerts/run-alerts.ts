import "server-only";
import { db } from "@/lib/db";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";
import { storedRunStatus, type RunStatus } from "@/lib/runner/states";
import { scenarioTitle } from "@/lib/scenarios/registry";
import { isBackupRun } from "@/lib/backups/backup-run-kind";

// Restore runs that need a person: a failed run (resume it or cancel it) and a run waiting for
// an operator's confirmation or manual step. Reconciled from the run's state, so the same code
// serves the runner's notice (at once) and the periodic sweep (after a restart, or a change the
// runner did not announce): raising twice is one incident, resolving a closed one does nothing.

export async function reconcileRunAlerts(runId: string, now?: Date): Promise<void> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: {
      id: true,
      status: true,
      scenarioId: true,
      databaseId: true,
      verdict: true,
      database: { select: { name: true } },
      steps: { where: { status: "waiting" }, select: { index: true, title: true }, take: 1 },
    },
  });
  if (!run) {
    for (const event of ["restore_failed", "restore_waiting"] as const) {
      const open = await db.alertIncident.findFirst({ where: { event, subject: runId, openKey: { not: null } } });
      if (open)
        await resolveAlert({
          event,
          databaseId: open.databaseId,
          subject: runId,
          now,
          resolution: "The run was removed.",
        });
    }
    return;
  }
  // A backup run alerts as backup_failed (lib/backups/backup-run.ts), not as a restore.
  if (isBackupRun(run.scenarioId)) return;
  const status: RunStatus = storedRunStatus(run.status);
  const what = `Restore run "${scenarioTitle(run.scenarioId)}" on ${run.database.name}`;
  const link = `/restores/${run.id}`;
  const failed = { event: "restore_failed" as const, databaseId: run.databaseId, subject: run.id };
  const waiting = { event: "restore_waiting" as const, databaseId: run.databaseId, subject: run.id };
  if (status === "failed")
    await raiseAlert({
      ...failed,
      now,
      link,
      message: `${what} failed: ${(run.verdict ?? "a step failed").replace(/\.+$/, "")}. Open the run to resume it or cancel it (cancelling cleans up what it left).`,
    });
  else await resolveAlert({ ...failed, now, resolution: `${what} is now ${status}.` });
  const step = run.steps[0];
  if (status === "waiting")
    await raiseAlert({
      ...waiting,
      now,
      link,
      message: `${what} waits for a person${step ? ` at step ${step.index + 1}: ${step.title}` : ""}. Open the run to confirm or cancel.`,
    });
  else await resolveAlert({ ...waiting, now, resolution: `${what} went on: it is now ${status}.` });
}

/** The sweep: every run that needs a person, and every run with an open incident. */
export async function reconcileAllRunAlerts(now?: Date): Promise<void> {
  const [runs, incidents] = await Promise.all([
    db.run.findMany({ where: { status: { in: ["failed", "waiting"] satisfies RunStatus[] } }, select: { id: true } }),
    db.alertIncident.findMany({
      where: { event: { in: ["restore_failed", "restore_waiting"] }, openKey: { not: null } },
      select: { subject: true },
    }),
  ]);
  const ids = new Set([...runs.map((r) => r.id), ...incidents.flatMap((i) => (i.subject ? [i.subject] : []))]);
  for (const id of ids) await reconcileRunAlerts(id, now);
}
