import { hashPassword } from "../lib/auth/password";
import type { LifeboatPrisma } from "./client";

/**
 * The first admin of a real install (LIFEBOAT_ADMIN_EMAIL/PASSWORD) or of the demo.
 * Creates the user when missing; when `resetPassword` is set, also makes sure the
 * password and admin role are the given ones (the demo prints them on every start).
 */
export async function ensureAdmin(
  prisma: LifeboatPrisma,
  opts: { email: string; password: string; name: string; resetPassword?: boolean },
): Promise<"created" | "updated" | "unchanged"> {
  const email = opts.email.trim().toLowerCase();
  const existing = await prisma.user.findUnique({ where: { email } });
  if (!existing) {
    const user = await prisma.user.create({
      data: { email, name: opts.name, role: "admin", passwordHash: await hashPassword(opts.password) },
    });
    await prisma.auditEvent.create({
      data: {
        actorEmail: "system",
        action: "user.bootstrap_admin",
        targetType: "user",
        targetId: user.id,
        detail: JSON.stringify({ email }),
      },
    });
    return "created";
  }
  if (!opts.resetPassword) return "unchanged";
  await prisma.user.update({
    where: { id: existing.id },
    data: { role: "admin", disabled: false, passwordHash: await hashPassword(opts.password) },
  });
  return "updated";
}
