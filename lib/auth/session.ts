import "server-only";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { db } from "@/lib/db";
import { isRole, type Role } from "@/lib/auth/roles";

export type SessionUser = { id: string; email: string; name: string; role: Role };

/**
 * The signed-in user, read fresh from the database so that a changed role or a
 * disabled account takes effect on the next request, not when the cookie expires.
 */
export async function getCurrentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const user = await db.user.findUnique({ where: { id } });
  if (!user || user.disabled || !isRole(user.role)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
