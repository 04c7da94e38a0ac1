"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import {
  closeDrillCommand,
  saveStepNotesCommand,
  scheduleDrillCommand,
  skipDrillStepCommand,
  startDrillCommand,
  stopwatchCommand,
  toggleDrillActionCommand,
} from "@/lib/drills/commands";

// Each write is declared in lib/drills/commands.ts (role, input, audit event, handler).

export const scheduleDrillAction = withRevalidation(scheduleDrillCommand, "/drills");
export const startDrillAction = startDrillCommand;
export const stopwatchAction = stopwatchCommand;
export const saveStepNotesAction = saveStepNotesCommand;
export const closeDrillAction = closeDrillCommand;
export const toggleDrillActionAction = toggleDrillActionCommand;
export const skipDrillStepAction = skipDrillStepCommand;
