"use server";

import { verifyAuditChainCommand } from "@/lib/audit/commands";

// Each write is declared in lib/audit/commands.ts (role, input, audit event, handler).

export const verifyAuditChainAction = verifyAuditChainCommand;
