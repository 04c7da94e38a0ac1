import "server-only";
import { defineCommand } from "@/lib/actions/define-command";
import { createApiTokenSchema, revokeApiTokenSchema } from "@/lib/api-tokens/schemas";
import { createApiToken, revokeApiToken } from "@/lib/api-tokens/mutations";

// Admins issue and revoke pipeline tokens (Settings → API tokens). The audit event names the
// token and its scope, never the token itself.

export const createApiTokenCommand = defineCommand({
  name: "api-tokens.create",
  role: "admin",
  input: createApiTokenSchema,
  transaction: true,
  handler: (input, user) => createApiToken(input, user),
  audit: {
    action: "api_token.create",
    targetType: "api_token",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ name: r.name, prefix: r.prefix, databaseIds: r.databaseIds ?? "all" }),
  },
});

export const revokeApiTokenCommand = defineCommand({
  name: "api-tokens.revoke",
  role: "admin",
  input: revokeApiTokenSchema,
  transaction: true,
  handler: (input, user) => revokeApiToken(input, user),
  audit: {
    action: "api_token.revoke",
    targetType: "api_token",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ name: r.name, prefix: r.prefix }),
  },
});
