import "server-only";
import { Prisma } from "@prisma/client";
import type { z } from "zod";
import { db } from "@/lib/db";
import { UserError, NotFoundError } from "@/lib/errors";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { revokeSessions } from "@/lib/auth/session-version";
import type { createUserSchema, updateUserSchema, userIdSchema } from "@/lib/users/schemas";

// Called only through lib/users/commands.ts, which requires the admin role and records the audit event.

export async function createUser(input: z.output<typeof createUserSchema>) {
  try {
    const user = await db.user.create({
      data: {
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash: await hashPassword(input.password),
      },
    });
    return { id: user.id, email: user.email, role: user.role };
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      throw new UserError(`A user with the e-mail ${input.email} already exists. Edit that user instead.`, 409);
    }
    throw e;
  }
}

async function assertAnotherAdminRemains(id: string) {
  const others = await db.user.count({ where: { role: "admin", disabled: false, id: { not: id } } });
  if (others === 0) {
    throw new UserError(
      "This is the last active admin. Make another user admin first, or nobody could manage Lifeboat.",
      409,
    );
  }
}

export async function updateUser(input: z.output<typeof updateUserSchema>) {
  const existing = await db.user.findUnique({ where: { id: input.id } });
  if (!existing) throw new NotFoundError("The user");
  const losesAdmin = existing.role === "admin" && ((input.role && input.role !== "admin") || input.disabled === true);
  if (losesAdmin) await assertAnotherAdminRemains(existing.id);
  const user = await db.user.update({
    where: { id: input.id },
    data: {
      ...(input.role ? { role: input.role } : {}),
      ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
      // Disabling ends the user's sessions for good: enabling again does not bring them back.
      ...(input.disabled === true ? revokeSessions : {}),
    },
  });
  return { id: user.id, email: user.email, role: user.role, disabled: user.disabled };
}

/** Sets a new random password and returns it once, for the admin to hand over. */
export async function resetPassword(input: z.output<typeof userIdSchema>) {
  const existing = await db.user.findUnique({ where: { id: input.id } });
  if (!existing) throw new NotFoundError("The user");
  const password = generatePassword();
  await db.user.update({
    where: { id: input.id },
    data: { passwordHash: await hashPassword(password), ...revokeSessions },
  });
  return { id: existing.id, email: existing.email, password };
}
