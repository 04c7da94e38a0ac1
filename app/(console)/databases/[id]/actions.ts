"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { backUpNowCommand, deleteScheduleCommand, saveScheduleCommand } from "@/lib/schedules/commands";
import {
  checkWalArchiveCommand,
  createRestorePointCommand,
  deleteWalArchiveCommand,
  refreshArchiveHealthCommand,
  saveWalArchiveCommand,
  switchWalCommand,
} from "@/lib/pitr/commands";

// Each write is declared in lib/schedules/commands.ts (role, input, audit event, handler).

export const backUpNowAction = backUpNowCommand;
export const saveScheduleAction = withRevalidation(saveScheduleCommand, ["/databases/[id]", "page"]);
export const deleteScheduleAction = withRevalidation(deleteScheduleCommand, ["/databases/[id]", "page"]);

// The WAL archive (lib/pitr/commands.ts): settings (admin), health, check, switch WAL, restore points.
export const saveWalArchiveAction = withRevalidation(saveWalArchiveCommand, ["/databases/[id]", "page"]);
export const deleteWalArchiveAction = withRevalidation(deleteWalArchiveCommand, ["/databases/[id]", "page"]);
export const refreshArchiveHealthAction = withRevalidation(refreshArchiveHealthCommand, ["/databases/[id]", "page"]);
export const checkWalArchiveAction = withRevalidation(checkWalArchiveCommand, ["/databases/[id]", "page"]);
export const switchWalAction = withRevalidation(switchWalCommand, ["/databases/[id]", "page"]);
export const createRestorePointAction = withRevalidation(createRestorePointCommand, ["/databases/[id]", "page"]);
