"use server";

import { confirmRetentionCommand, setForeignDeletionCommand, setMinVerifiedCommand } from "@/lib/retention/commands";

// Each write is declared in lib/retention/commands.ts (role, input, audit event, handler).

export const confirmRetentionAction = confirmRetentionCommand;
export const setForeignDeletionAction = setForeignDeletionCommand;
export const setMinVerifiedAction = setMinVerifiedCommand;
