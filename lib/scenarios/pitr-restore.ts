import type { PlannedStep } from "@/lib/runner/types";
import {
  dumpRecoveredStep,
  pitrPreflightStep,
  recoverySource,
  restoreToMomentStep,
  stopRecoveryStep,
} from "@/lib/restores/pitr-steps";
import {
  confirmation,
  copyBackStep,
  createScratchStep,
  manual,
  previewRowsStep,
  removeDownloadStep,
  restoreScratchStep,
  safetyStep,
  switchOverStep,
  untouchedNote,
  verifyGrantsStep,
  verifyScratchStep,
  verifyTargetStep,
  type RestoreContext,
} from "@/lib/restores/steps";
import type { RowSelection } from "@/lib/restores/copy-rows";
import type { MigrationCommands } from "./define";
import { runMigrationsStep } from "./safe-restore";

// The step sequences of a point-in-time restore, for the scenarios that offer one (a dump
// would be used otherwise): restore to the moment in a recovery instance, then hand over to
// the same tools as a dump: the copy-back (deletion) or the scratch → confirm → switch-over
// path with the recovered database's dump (corruption, failed migration).

/** Deletion: copy the missing rows back from the recovery instance. */
export function pitrCopyBackSteps(
  rc: RestoreContext,
  table: string,
  idColumn: string,
  sel: RowSelection,
): PlannedStep[] {
  const source = recoverySource(rc);
  return [
    pitrPreflightStep(rc, "copy-back"),
    restoreToMomentStep(rc),
    previewRowsStep(rc, table, idColumn, sel, source),
    confirmation(
      "confirm-copy-back",
      `Copy the previewed rows back into ${rc.database}`,
      `Check the preview: its count and ids are exactly the rows that will be inserted into ${table} (in one transaction, ON CONFLICT DO NOTHING). Production changes only after this.`,
    ),
    copyBackStep(rc, table, idColumn, source),
    stopRecoveryStep(rc),
  ];
}

/** Corruption and failed migration: the recovered database replaces the target by the switch-over. */
export function pitrSafeRestoreSteps(rc: RestoreContext, migrations: MigrationCommands): PlannedStep[] {
  const note = untouchedNote(rc.target);
  return [
    pitrPreflightStep(rc, "switch-over"),
    restoreToMomentStep(rc),
    dumpRecoveredStep(rc),
    // The dump holds everything the switch-over needs; the instance is not needed any more.
    stopRecoveryStep(rc),
    safetyStep(rc, note),
    createScratchStep(rc, note),
    restoreScratchStep(rc, note),
    verifyScratchStep(rc, note),
    verifyGrantsStep(rc, rc.scratchConn, note),
    confirmation(
      "confirm-switch-over",
      `Confirm the switch-over of ${rc.database}`,
      `The recovered database is restored into the scratch copy and verified. From here ${rc.database} changes: its sessions will be ended, it will be renamed to ${rc.oldCopy} and the scratch copy will take its name. Stop the application first.`,
    ),
    switchOverStep(rc),
    verifyTargetStep(
      rc,
      `The recovered copy is in place as ${rc.database}; the old one is kept as ${rc.oldCopy}.`,
      true,
    ),
    removeDownloadStep(rc),
    runMigrationsStep(
      rc,
      migrations,
      `${rc.database} is now as it was at the moment recovered to; check its migration head and bring it to the head the deployed release expects.`,
    ),
    manual(
      "start-application",
      "Start the application",
      "Start the application servers and workers again, pointing at the same database name.",
    ),
    manual(
      "check-health",
      "Check health and readiness",
      `Check the application's health and readiness endpoints and a few key pages. The old copy ${rc.oldCopy} will stay until it is dropped with its own confirmation.`,
      ["curl -fsS https://<app>/health", "curl -fsS https://<app>/ready"],
    ),
  ];
}
