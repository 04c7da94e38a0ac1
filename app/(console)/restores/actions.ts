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

// Each write is declared in lib/restores/commands.ts (role, production rule, input, audit event, handler).

export const prepareRunAction = prepareRunCommand;
export const confirmRunAction = confirmRunCommand;
export const completeStepAction = completeStepCommand;
export const cancelRunAction = cancelRunCommand;
export const resumeRunAction = resumeRunCommand;
export const dropOldCopyAction = dropOldCopyCommand;
export const dropKeptScratchAction = dropKeptScratchCommand;
