import { appendAuditEvent } from "../lib/audit/chain";
import { hashPassword, verifyPassword } from "../lib/auth/password";
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
  const existing = await prisma.user.findUnique({ where: { email }, omit: { passwordHash: false } });
  if (!existing) {
    const passwordHash = await hashPassword(opts.password);
    await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name: opts.name, role: "admin", passwordHash } });
      await appendAuditEvent(tx, {
        actorId: null,
        actorEmail: "system",
        action: "user.bootstrap_admin",
        targetType: "user",
        targetId: user.id,
        detail: JSON.stringify({ email }),
      });
    });
    return "created";
  }
  if (!opts.resetPassword) return "unchanged";
  // The same password stays as it is, so the demo's sessions survive a restart; a new one ends
  // the sessions signed in with the old one.
  const samePassword = await verifyPassword(opts.password, existing.passwordHash);
  await prisma.user.update({
    where: { id: existing.id },
    data: {
      role: "admin",
      disabled: false,
      ...(samePassword ? {} : { passwordHash: await hashPassword(opts.password), sessionVersion: { increment: 1 } }),
    },
  });
  return "updated";
}
