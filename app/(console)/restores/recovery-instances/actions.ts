"use server";

import {
  keepRecoveryInstanceCommand,
  removeRecoveryInstanceCommand,
  stopRecoveryInstanceCommand,
} from "@/lib/pitr/recovery-commands";

// Each write is declared in lib/pitr/recovery-commands.ts (role, input, audit event, handler).

export const keepRecoveryInstanceAction = keepRecoveryInstanceCommand;
export const stopRecoveryInstanceAction = stopRecoveryInstanceCommand;
export const removeRecoveryInstanceAction = removeRecoveryInstanceCommand;
