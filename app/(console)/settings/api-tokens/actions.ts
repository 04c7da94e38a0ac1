"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { createApiTokenCommand, revokeApiTokenCommand } from "@/lib/api-tokens/commands";

// Each write is declared in lib/api-tokens/commands.ts (admin role, input, audit event, handler).

export const createApiTokenAction = withRevalidation(createApiTokenCommand, "/settings/api-tokens");
export const revokeApiTokenAction = withRevalidation(revokeApiTokenCommand, "/settings/api-tokens");
