"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { createUserCommand, resetPasswordCommand, updateUserCommand } from "@/lib/users/commands";

// Each write is declared in lib/users/commands.ts (role, input, audit event, handler).

export const createUserAction = withRevalidation(createUserCommand, "/settings/users");
export const updateUserAction = withRevalidation(updateUserCommand, "/settings/users");
export const resetPasswordAction = resetPasswordCommand;
