"use server";

import { syncAllCommand, verifyBackupCommand } from "@/lib/backups/commands";

// Each write is declared in lib/backups/commands.ts (role, input, audit event, handler).

export const verifyBackupAction = verifyBackupCommand;
export const syncAllAction = syncAllCommand;
