"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { backUpNowCommand, deleteScheduleCommand, saveScheduleCommand } from "@/lib/schedules/commands";

// Each write is declared in lib/schedules/commands.ts (role, input, audit event, handler).

export const backUpNowAction = backUpNowCommand;
export const saveScheduleAction = withRevalidation(saveScheduleCommand, ["/databases/[id]", "page"]);
export const deleteScheduleAction = withRevalidation(deleteScheduleCommand, ["/databases/[id]", "page"]);
