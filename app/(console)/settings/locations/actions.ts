"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import {
  deleteLocationCommand,
  saveLocationCommand,
  syncLocationCommand,
  testLocationCommand,
  testUnsavedLocationCommand,
} from "@/lib/locations/commands";

// Each write is declared in lib/locations/commands.ts (role, input, audit event, handler).

export const saveLocationAction = withRevalidation(saveLocationCommand, "/settings/locations");
export const deleteLocationAction = withRevalidation(deleteLocationCommand, "/settings/locations");
export const testLocationAction = testLocationCommand;
export const testUnsavedLocationAction = testUnsavedLocationCommand;
export const syncLocationAction = syncLocationCommand;
