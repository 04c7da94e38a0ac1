import "server-only";
import { db } from "@/lib/db";
import { removeRecoveryInstance } from "@/lib/pitr/recovery";
import { NotFoundError, UserError } from "@/lib/errors";
import { connectionOf } from "@/lib/databases/mutations";
import { describeServer } from "@/lib/postgres/connection";
import { cancelRun, type RunActor } from "@/lib/runner/runs";
import { FINAL_RUN_STATUSES, storedRunStatus } from "@/lib/runner/states";
import {
  DEFAULT_MAINTENANCE_DATABASE,
  dropScratchDatabase,
  existingDatabases,
  serverConnection,
} from "./database-admin";
import { removeWorkDir } from "./files";
import { isRestoreWorkDir, isScratchDatabaseName, leftoversDecision, restoreLeftoversOf } from "./leftovers-rule";

// Removes what a restore run left behind (its downloaded backup, its scratch database) by the
// rule in leftovers-rule.ts, records what was done on the run (cleanedUpAt, cleanupNote, a log
// line), and sweeps runs that ended without a clean-up at start-up. Server-side only and
// without authorization: commands (lib/restores/commands.ts) check the role first and write
// the audit event.

export type CleanupReport = {
  runId: string;
  /** False when the rule keeps everything for now (the run may be resumed, or it is running). */
  applied: boolean;
  downloadRemoved: boolean;
  scratchDropped: boolean;
  /** What was done or kept, in words. */
  note: string;
};

async function logLine(runId: string, text: string, stream: "info" | "error" = "info") {
  await db.runLog.create({ data: { runId, stepIndex: null, at: new Date(), stream, text } });
}

/**
 * Cleans up one run by the rule. Safe to call again (and from several instances): removing a
 * folder or dropping a database that is gone is not an error. A run whose clean-up could not
 * finish (its server unreachable) keeps cleanedUpAt empty, so the next sweep tries again.
 */
export async function cleanUpRun(runId: string): Promise<CleanupReport> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: {
      id: true,
      status: true,
      plan: true,
      databaseId: true,
      keepScratch: true,
      scratchDroppedAt: true,
      cleanupNote: true,
    },
  });
  if (!run) throw new NotFoundError("The run");
  const decision = leftoversDecision(storedRunStatus(run.status), run.keepScratch);
  const report: CleanupReport = {
    runId,
    applied: false,
    downloadRemoved: false,
    scratchDropped: false,
    note: `Nothing was removed: ${decision.why}.`,
  };
  if (!decision.removeDownload && !decision.dropScratch) return report;

  const leftovers = restoreLeftoversOf(run.plan);
  const done: string[] = [];
  const problems: string[] = [];

  if (decision.removeDownload && leftovers.workDir) {
    if (!isRestoreWorkDir(leftovers.workDir)) {
      problems.push(`the download folder ${leftovers.workDir} is not one a restore makes, so it was left alone`);
    } else {
      try {
        report.downloadRemoved = await removeWorkDir(leftovers.workDir);
        done.push(
          report.downloadRemoved
            ? `removed the download folder ${leftovers.workDir}`
            : "the download folder was already gone",
        );
      } catch (e) {
        console.error(`[lifeboat] run ${runId}: could not remove ${leftovers.workDir}:`, e);
        problems.push(`the download folder ${leftovers.workDir} could not be removed (see the server log)`);
      }
    }
  }

  // A point-in-time run's recovery instances go with it, unless its plan kept one for inspection
  // (the instance's own keep time then removes it).
  if (decision.removeDownload) {
    const instances = await db.recoveryInstance.findMany({
      where: { runId, status: { not: "removed" }, OR: [{ keepUntil: null }, { keepUntil: { lt: new Date() } }] },
      select: { id: true, port: true },
    });
    for (const i of instances) {
      try {
        await removeRecoveryInstance(i.id);
        done.push(`stopped and removed the recovery instance on 127.0.0.1:${i.port}`);
      } catch (e) {
        if (!(e instanceof UserError))
          console.error(`[lifeboat] run ${runId}: could not remove recovery instance ${i.id}:`, e);
        problems.push(
          `the recovery instance on 127.0.0.1:${i.port} could not be removed (${e instanceof UserError ? e.message : "see the server log"}): remove it under Restore → Recovery instances`,
        );
      }
    }
  }

  let scratchGone = false;
  const scratch = leftovers.scratchDatabase;
  if (scratch && decision.dropScratch) {
    if (!isScratchDatabaseName(scratch)) {
      problems.push(`${scratch} is not named like a scratch database, so it was not dropped`);
    } else {
      try {
        const conn = await connectionOf(run.databaseId);
        const server = serverConnection(conn, leftovers.maintenanceDatabase ?? DEFAULT_MAINTENANCE_DATABASE);
        const oldCopy = leftovers.oldCopy;
        const found = await existingDatabases(server, [conn.database, scratch, ...(oldCopy ? [oldCopy] : [])]);
        if (!found.has(scratch)) {
          scratchGone = true;
          // The switch-over (one transaction) committed before the run stopped: say so, a
          // cancelled run must not read as if production were untouched.
          done.push(
            oldCopy && found.has(oldCopy) && found.has(conn.database) && run.status !== "succeeded"
              ? `the scratch database ${scratch} is gone because the switch-over had completed: ${conn.database} is the restored database and the original is kept as ${oldCopy}`
              : `the scratch database ${scratch} is gone`,
          );
        } else if (!found.has(conn.database)) {
          // A switch-over stopped half-way: the scratch copy may be the only restored copy.
          problems.push(
            `${scratch} was kept because ${conn.database} does not exist on ${describeServer(server)} (a switch-over stopped half-way?): check both by hand`,
          );
        } else {
          report.scratchDropped = await dropScratchDatabase(server, scratch);
          scratchGone = true;
          done.push(`dropped the scratch database ${scratch}`);
        }
      } catch (e) {
        const reason = e instanceof UserError ? e.message : "see the server log";
        if (!(e instanceof UserError)) console.error(`[lifeboat] run ${runId}: could not drop ${scratch}:`, e);
        problems.push(
          `the scratch database ${scratch} could not be dropped (${reason.replace(/[.\s]+$/, "")}); the next start-up tries again`,
        );
      }
    }
  } else if (scratch && !decision.dropScratch) {
    done.push(`kept the scratch database ${scratch} for inspection (listed on the dashboard until dropped)`);
  }

  const finished = problems.length === 0;
  report.applied = true;
  report.note = `Clean-up (${decision.why}): ${[...done, ...problems].join("; ") || "nothing was left behind"}.`;
  const now = new Date();
  await db.run.update({
    where: { id: runId },
    data: {
      cleanedUpAt: finished ? now : null,
      cleanupNote: report.note,
      ...(scratchGone && !run.scratchDroppedAt ? { scratchDroppedAt: now } : {}),
    },
  });
  // A clean-up that keeps failing (a server gone for good) is retried at every start-up: log it once.
  if (finished || report.note !== run.cleanupNote) await logLine(runId, report.note, finished ? "info" : "error");
  return report;
}

/** Cleans up after an execution in this process ended (never throws: a failure is logged, the sweep retries). */
export async function cleanUpAfterExecution(runId: string, done: Promise<void>): Promise<void> {
  await done;
  await cleanUpRun(runId).catch((e: unknown) => console.error(`[lifeboat] run ${runId}: clean-up failed:`, e));
}

/**
 * Start-up: cleans up every run that ended (succeeded or cancelled) without a clean-up, e.g.
 * because the console was killed between the end of the run and its clean-up. Failed and
 * interrupted runs keep their leftovers for a resume.
 */
export async function sweepLeftovers(): Promise<CleanupReport[]> {
  const runs = await db.run.findMany({
    where: { status: { in: [...FINAL_RUN_STATUSES] }, cleanedUpAt: null },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  const reports: CleanupReport[] = [];
  for (const { id } of runs) {
    try {
      reports.push(await cleanUpRun(id));
    } catch (e) {
      console.error(`[lifeboat] run ${id}: clean-up at start-up failed:`, e);
    }
  }
  return reports;
}

/**
 * "Cancel" on the run page: cancels the run (a failed or interrupted one gives up its resume)
 * and cleans up its leftovers at once, or when its executing step stops. `keepScratch` keeps the
 * scratch database for inspection.
 */
export async function cancelRestore(input: { runId: string; keepScratch?: boolean }, actor: RunActor) {
  const keepScratch = input.keepScratch === true;
  if (keepScratch)
    await db.run.updateMany({
      where: { id: input.runId, status: { notIn: [...FINAL_RUN_STATUSES] } },
      data: { keepScratch: true },
    });
  const result = await cancelRun({ runId: input.runId, actor });
  // An executing run cleans up when its execution ends (cleanUpAfterExecution); one cancelled at once here.
  const cleanup = result.status === "cancelled" ? await cleanUpRun(input.runId) : null;
  return { ...result, keepScratch, cleanup: cleanup?.note ?? null };
}

/** Scratch databases operators kept for inspection and have not dropped yet (the dashboard lists them). */
export async function keptScratchDatabases() {
  const runs = await db.run.findMany({
    where: { keepScratch: true, scratchDroppedAt: null, status: "cancelled" },
    orderBy: { finishedAt: "desc" },
    select: {
      id: true,
      scenarioId: true,
      plan: true,
      finishedAt: true,
      database: { select: { id: true, name: true, environment: true } },
    },
  });
  return runs.flatMap((r) => {
    const { scratchDatabase } = restoreLeftoversOf(r.plan);
    if (!scratchDatabase) return [];
    return [
      {
        runId: r.id,
        scenarioId: r.scenarioId,
        scratchDatabase,
        databaseId: r.database.id,
        databaseName: r.database.name,
        environment: r.database.environment,
        keptSince: r.finishedAt?.toISOString() ?? null,
      },
    ];
  });
}
export type KeptScratchDatabase = Awaited<ReturnType<typeof keptScratchDatabases>>[number];

/** Drops a scratch database kept for inspection. */
export async function dropKeptScratch(input: { runId: string }) {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { id: true, status: true, keepScratch: true, scratchDroppedAt: true },
  });
  if (!run) throw new NotFoundError("The run");
  if (!run.keepScratch || storedRunStatus(run.status) !== "cancelled")
    throw new UserError("This run kept no scratch database for inspection.", 409);
  if (run.scratchDroppedAt)
    throw new UserError("This run's scratch database was already dropped. Reload the page.", 409);
  await db.run.update({ where: { id: run.id }, data: { keepScratch: false, cleanedUpAt: null } });
  const report = await cleanUpRun(run.id);
  const after = await db.run.findUniqueOrThrow({ where: { id: run.id }, select: { scratchDroppedAt: true } });
  if (!after.scratchDroppedAt) {
    // Still there: keep listing it so that it is not forgotten.
    await db.run.update({ where: { id: run.id }, data: { keepScratch: true } });
    throw new UserError(`${report.note} Nothing else was changed; try again when the server answers.`, 502);
  }
  return { runId: run.id, dropped: report.scratchDropped, note: report.note };
}
