import "server-only";
import { redirect } from "next/navigation";
import { AuthError } from "@/lib/errors";
import { getCurrentUser, type SessionUser } from "@/lib/auth/session";
import { hasRole, type Role } from "@/lib/auth/roles";

/** Throws AuthError(401) without a session. Call inside every query, action and route. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) throw new AuthError(401);
  return user;
}

/** Throws AuthError(401) without a session, AuthError(403) when the role is too low. */
export async function requireRole(role: Role): Promise<SessionUser> {
  const user = await requireUser();
  if (!hasRole(user.role, role)) {
    throw new AuthError(403, `This needs the ${role} role; you are signed in as ${user.role}. Ask an admin.`);
  }
  return user;
}

/** For pages: a missing session redirects to sign-in (pages render beside the layout, not after it). */
export async function requirePageUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  return user;
}
