import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";

export async function listUsers() {
  await requireRole("admin");
  return db.user.findMany({
    orderBy: [{ disabled: "asc" }, { email: "asc" }],
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      disabled: true,
      createdAt: true,
      lastSignInAt: true,
      passwordHash: false,
    },
  });
}
export type UserRow = Awaited<ReturnType<typeof listUsers>>[number];

export async function countUsers() {
  await requireRole("viewer");
  return db.user.count({ where: { disabled: false } });
}
