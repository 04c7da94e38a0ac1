import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { db } from "@/lib/db";
import { isRole, type Role } from "@/lib/auth/roles";
import { sessionStillValid } from "@/lib/auth/session-version";

export type SessionUser = { id: string; email: string; name: string; role: Role };

/**
 * The signed-in user, read fresh from the database so that a changed role, a disabled or
 * removed account, or a new password takes effect on the next request, not when the cookie
 * expires. Read once per server render (React's per-request cache): a page whose layout, page
 * and a dozen queries each authorize would otherwise decode the session and read the user a
 * dozen times. Outside a render (route handlers, scripts) every call reads afresh.
 */
export const getCurrentUser = cache(async function getCurrentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const claims = session?.user as { id?: string; sv?: unknown } | undefined;
  if (!claims?.id) return null;
  const user = await db.user.findUnique({ where: { id: claims.id } });
  if (!user || user.disabled || !isRole(user.role)) return null;
  // A password changed (or the account disabled) since this session signed in: it has ended.
  if (!sessionStillValid(claims.sv, user.sessionVersion)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
});
