import path from "node:path";
import { z } from "zod";
import { checkStored } from "@/lib/stored-json";
import { parseStoredPlan } from "@/lib/runner/plan";
import type { RunStatus } from "@/lib/runner/states";
import { SCRATCH_NAME_PATTERN } from "./names";

// What a restore run leaves behind and when it goes. Pure: no database, no files.
//
// The rule:
//   - succeeded, cancelled: the download folder is removed and the scratch database dropped
//     (a cancelled run's scratch database stays when the operator kept it for inspection; it is
//     then listed until someone drops it). Nothing can resume such a run, so nothing is needed.
//   - failed, interrupted: everything is kept, because a resume continues from the failed step
//     with the same download and scratch database. Cancelling the run ("cancel and clean up")
//     makes it cancelled, and the rule above applies.
//   - planned, queued, running, waiting: nothing is touched (nothing ran yet, or it is running).
// Start-up applies the same rule to every run that ended without being cleaned up (a console
// killed between the end of a run and its clean-up), so a restart leaves nothing behind either.

/** The plan summary's fields that name a run's leftovers (written by the plan builder, lib/restores/plans). */
export const leftoversSummarySchema = z.object({
  workDir: z.string().min(1).optional(),
  scratchDatabase: z.string().min(1).optional(),
  oldCopy: z.string().min(1).optional(),
  maintenanceDatabase: z.string().min(1).optional(),
});

export type RestoreLeftovers = {
  /** The private download folder, when the plan downloads. */
  workDir: string | null;
  scratchDatabase: string | null;
  /** The old target a switch-over keeps (dropped only with its own confirmation, never by a clean-up). */
  oldCopy: string | null;
  maintenanceDatabase: string | null;
};

/** The leftovers a run's stored plan (Run.plan) names. */
export function restoreLeftoversOf(planJson: string): RestoreLeftovers {
  const summary = checkStored(
    parseStoredPlan(planJson).summary,
    leftoversSummarySchema,
    "run plan's summary (Run.plan)",
  );
  return {
    workDir: summary.workDir ?? null,
    scratchDatabase: summary.scratchDatabase ?? null,
    oldCopy: summary.oldCopy ?? null,
    maintenanceDatabase: summary.maintenanceDatabase ?? null,
  };
}

export type LeftoversDecision = { removeDownload: boolean; dropScratch: boolean; why: string };

export function leftoversDecision(status: RunStatus, keepScratch: boolean): LeftoversDecision {
  switch (status) {
    case "succeeded":
      return { removeDownload: true, dropScratch: true, why: "the run succeeded" };
    case "cancelled":
      return keepScratch
        ? {
            removeDownload: true,
            dropScratch: false,
            why: "the run was cancelled; its scratch database was kept for inspection",
          }
        : { removeDownload: true, dropScratch: true, why: "the run was cancelled" };
    case "failed":
    case "interrupted":
      return {
        removeDownload: false,
        dropScratch: false,
        why: `the run is ${status}: a resume needs its download and scratch database (cancel the run to remove them)`,
      };
    case "planned":
    case "queued":
    case "running":
    case "waiting":
      return { removeDownload: false, dropScratch: false, why: `the run is ${status}` };
  }
}

/** Only folders a restore plan makes are ever removed: `<dir>/lifeboat-restore-<16 hex>`. */
export function isRestoreWorkDir(dir: string): boolean {
  return (
    path.isAbsolute(dir) && /^lifeboat-restore-[0-9a-f]{16}$/.test(path.basename(dir)) && path.normalize(dir) === dir
  );
}

/** Only databases named like a scratch database are ever dropped. */
export function isScratchDatabaseName(name: string): boolean {
  return SCRATCH_NAME_PATTERN.test(name);
}
