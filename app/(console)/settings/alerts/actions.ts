"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { deleteAlertChannelCommand, saveAlertChannelCommand, testAlertChannelCommand } from "@/lib/alerts/commands";

// Each write is declared in lib/alerts/commands.ts (role, input, audit event, handler).

export const saveAlertChannelAction = withRevalidation(saveAlertChannelCommand, "/settings/alerts");
export const deleteAlertChannelAction = withRevalidation(deleteAlertChannelCommand, "/settings/alerts");
export const testAlertChannelAction = withRevalidation(testAlertChannelCommand, "/settings/alerts");
