"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { deleteDatabaseCommand, saveDatabaseCommand, testDatabaseCommand } from "@/lib/databases/commands";

// Each write is declared in lib/databases/commands.ts (role, input, audit event, handler).

export const saveDatabaseAction = withRevalidation(saveDatabaseCommand, "/settings/databases");
export const deleteDatabaseAction = withRevalidation(deleteDatabaseCommand, "/settings/databases");
export const testDatabaseAction = testDatabaseCommand;
