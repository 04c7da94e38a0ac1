import { randomUUID } from "node:crypto";
import type { Account, Profile, User } from "next-auth";
import { expect, test } from "vitest";
import { authOptions } from "@/lib/auth/options";
import { db } from "@/lib/db";

// The signIn callback as next-auth calls it after the provider's callback.
async function oidcSignIn(profile: Record<string, unknown>) {
  const signIn = authOptions().callbacks!.signIn!;
  const sub = String(profile.sub);
  const user = { id: sub, email: (profile.email as string | undefined) ?? null, name: "x" } as User;
  const account = { provider: "oidc", type: "oauth", providerAccountId: sub } as Account;
  return signIn({ user, account, profile: profile as Profile });
}

test("an unverified e-mail equal to an admin's is refused with a clear error, and creates or links nobody", async () => {
  const email = `admin-${randomUUID()}@example.test`;
  const admin = await db.user.create({ data: { email, name: "Admin", role: "admin" } });
  const result = await oidcSignIn({ sub: `attacker-${randomUUID()}`, email, email_verified: false });
  expect(result).toBe("/sign-in?error=OidcEmailUnverified");
  expect((await db.user.findUnique({ where: { id: admin.id } }))?.oidcSubject).toBeNull();
});

test("a verified e-mail that is already linked to another subject does not take the account over", async () => {
  const email = `linked-${randomUUID()}@example.test`;
  await db.user.create({ data: { email, name: "Linked", role: "admin", oidcSubject: `real-${randomUUID()}` } });
  const result = await oidcSignIn({ sub: `other-${randomUUID()}`, email, email_verified: true });
  expect(result).toBe("/sign-in?error=OidcAccountConflict");
});

test("first verified sign-in creates the user with its subject; the next finds it by subject after an e-mail change", async () => {
  const sub = `new-${randomUUID()}`;
  const email = `new-${randomUUID()}@example.test`;
  expect(await oidcSignIn({ sub, email, email_verified: true, name: "New" })).toBe(true);
  const created = await db.user.findUnique({ where: { oidcSubject: sub } });
  expect(created?.email).toBe(email);
  expect(await oidcSignIn({ sub, email: `renamed-${randomUUID()}@example.test`, email_verified: true })).toBe(true);
  expect(await db.user.count({ where: { oidcSubject: sub } })).toBe(1);
});
