import "server-only";
import { defineCommand } from "@/lib/actions/define-command";
import { createUserSchema, updateUserSchema, userIdSchema } from "@/lib/users/schemas";
import { createUser, resetPassword, updateUser } from "@/lib/users/mutations";

export const createUserCommand = defineCommand({
  name: "users.create",
  transaction: true,
  role: "admin",
  input: createUserSchema,
  handler: (input) => createUser(input),
  audit: {
    action: "user.create",
    targetType: "user",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ email: r.email, role: r.role }),
  },
});

export const updateUserCommand = defineCommand({
  name: "users.update",
  transaction: true,
  role: "admin",
  input: updateUserSchema,
  handler: (input) => updateUser(input),
  audit: {
    action: "user.update",
    targetType: "user",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ email: r.email, role: r.role, disabled: r.disabled }),
  },
});

export const resetPasswordCommand = defineCommand({
  name: "users.reset-password",
  transaction: true,
  role: "admin",
  input: userIdSchema,
  // The new password is in the result for the admin to hand over, never in the audit detail.
  handler: (input) => resetPassword(input),
  audit: {
    action: "user.reset_password",
    targetType: "user",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ email: r.email }),
  },
});
