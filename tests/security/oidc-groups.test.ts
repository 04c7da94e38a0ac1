import { randomUUID } from "node:crypto";
import type { Account, Profile, User } from "next-auth";
import { afterAll, expect, test, vi } from "vitest";

// Read once by lib/env.ts on first use; this file's module graph is its own.
vi.stubEnv("OIDC_ALLOWED_GROUPS", "lifeboat-users, dba");
// The worker may run other test files next: they get the environment back.
afterAll(() => vi.unstubAllEnvs());

const { authOptions } = await import("@/lib/auth/options");
const { db } = await import("@/lib/db");

async function oidcSignIn(profile: Record<string, unknown>) {
  const signIn = authOptions().callbacks!.signIn!;
  const sub = String(profile.sub);
  const user = { id: sub, email: (profile.email as string | undefined) ?? null, name: "x" } as User;
  const account = { provider: "oidc", type: "oauth", providerAccountId: sub } as Account;
  return signIn({ user, account, profile: profile as Profile });
}

test("ATTACK: with OIDC_ALLOWED_GROUPS set, a verified user in none of them is refused and not created", async () => {
  const sub = `outsider-${randomUUID()}`;
  const email = `${sub}@example.test`;
  for (const groups of [undefined, [], ["contractors"], "Lifeboat-Users"]) {
    expect(await oidcSignIn({ sub, email, email_verified: true, groups })).toBe("/sign-in?error=OidcGroupNotAllowed");
  }
  expect(await db.user.findUnique({ where: { oidcSubject: sub } })).toBeNull();
  expect(await db.auditEvent.count({ where: { targetId: email, action: "auth.sign_in_failed" } })).toBe(4);
});

test("a user in one allowed group signs in", async () => {
  const sub = `member-${randomUUID()}`;
  expect(await oidcSignIn({ sub, email: `${sub}@example.test`, email_verified: true, groups: ["x", "dba"] })).toBe(
    true,
  );
  expect(await db.user.count({ where: { oidcSubject: sub } })).toBe(1);
});
