import type { PlannedStep } from "@/lib/runner/types";
import {
  confirmation,
  createScratchStep,
  downloadStep,
  manual,
  preflightStep,
  removeDownloadStep,
  restoreScratchStep,
  safetyStep,
  untouchedNote,
  verifyScratchStep,
  verifyStep,
  verifyTargetStep,
  verifyGrantsStep,
  switchOverStep,
  type RestoreContext,
} from "@/lib/restores/steps";
import type { MigrationCommands } from "./define";

// Step sequences more than one scenario shares. The step builders themselves live in
// lib/restores/steps.ts; this file only orders them.

/** "at the backup's migration head (abc123)". */
export function backupHead(rc: RestoreContext): string {
  const m = rc.backup.manifest;
  return m ? (m.migrationHead ?? "none recorded") : "unknown: the backup has no manifest";
}

/** Up to a verified scratch copy: shared by the safe restore and the deletion copy-back. */
export function scratchCopySteps(rc: RestoreContext, note: string): PlannedStep[] {
  return [
    preflightStep(rc, "existing"),
    downloadStep(rc, note, { scratchAlongside: true }),
    verifyStep(rc, note),
    safetyStep(rc, note),
    createScratchStep(rc, note),
    restoreScratchStep(rc, note),
    verifyScratchStep(rc, note),
  ];
}

/** The migration tool's upgrade, for a person to run (never executed by Lifeboat). */
export function runMigrationsStep(rc: RestoreContext, migrations: MigrationCommands, description: string): PlannedStep {
  return manual("run-migrations", "Run the application's migrations", description, [migrations.upgrade]);
}

/** The safe restore: everything up to a verified scratch copy, then the switch-over. */
export function safeRestoreSteps(rc: RestoreContext, migrations: MigrationCommands): PlannedStep[] {
  const note = untouchedNote(rc.target);
  return [
    ...scratchCopySteps(rc, note),
    verifyGrantsStep(rc, rc.scratchConn, note),
    confirmation(
      "confirm-switch-over",
      `Confirm the switch-over of ${rc.database}`,
      `The scratch copy is restored and verified. From here ${rc.database} changes: its sessions will be ended, it will be renamed to ${rc.oldCopy} and the scratch copy will take its name. Stop the application first.`,
    ),
    switchOverStep(rc),
    // The note is shown only when this step fails, which is after the switch-over happened.
    verifyTargetStep(
      rc,
      `The restored copy is in place as ${rc.database}; the old one is kept as ${rc.oldCopy}.`,
      true,
    ),
    removeDownloadStep(rc),
    runMigrationsStep(
      rc,
      migrations,
      `${rc.database} will be at the backup's migration head (${backupHead(rc)}); the head it had before is in the preflight's log. Bring it to the head the deployed release expects.`,
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
