"use server";

import {
  cancelRunCommand,
  completeStepCommand,
  confirmRunCommand,
  dropKeptScratchCommand,
  dropOldCopyCommand,
  prepareRunCommand,
  resumeRunCommand,
} from "@/lib/restores/commands";
import { resumeBackupCommand } from "@/lib/schedules/commands";
import { switchWalCommand } from "@/lib/pitr/commands";

// Each write is declared in lib/restores/commands.ts (role, production rule, input, audit event, handler).

export const prepareRunAction = prepareRunCommand;
export const confirmRunAction = confirmRunCommand;
export const completeStepAction = completeStepCommand;
export const cancelRunAction = cancelRunCommand;
export const resumeRunAction = resumeRunCommand;
export const dropOldCopyAction = dropOldCopyCommand;
export const dropKeptScratchAction = dropKeptScratchCommand;
// A backup run (lib/backups/backup-run.ts) resumes with its own plan.
export const resumeBackupAction = resumeBackupCommand;
// "Switch WAL now" where a point-in-time plan was refused for a moment not archived yet.
export const switchWalAction = switchWalCommand;
