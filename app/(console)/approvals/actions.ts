"use server";

import { approveCommand, breakGlassCommand, declineCommand, requestApprovalCommand } from "@/lib/approvals/commands";

// Each write is declared in lib/approvals/commands.ts (role, input, audit event, handler).

export const requestApprovalAction = requestApprovalCommand;
export const approveAction = approveCommand;
export const declineAction = declineCommand;
export const breakGlassAction = breakGlassCommand;
