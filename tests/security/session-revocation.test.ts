import { randomBytes, randomUUID, scryptSync } from "node:crypto";
import type { Account, Session, User } from "next-auth";
import type { JWT } from "next-auth/jwt";
import type { AdapterUser } from "next-auth/adapters";
import { afterAll, beforeEach, expect, test, vi } from "vitest";

// Read once by lib/env.ts on first use; this file's module graph is its own.
vi.stubEnv("NEXTAUTH_URL", "https://lifeboat.example.test");
// The worker may run other test files next: they get the environment back.
afterAll(() => vi.unstubAllEnvs());

// The cookie is the one thing faked: next-auth hands getCurrentUser the session it decoded.
const cookie = vi.hoisted(() => ({ session: null as Session | null }));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => cookie.session,
}));

const { authOptions, authorizeCredentials } = await import("@/lib/auth/options");
const { getCurrentUser } = await import("@/lib/auth/session");
const { resetPassword, updateUser } = await import("@/lib/users/mutations");
const { db } = await import("@/lib/db");

beforeEach(() => {
  cookie.session = null;
});

/** Signs in through next-auth's own callbacks and returns the session its cookie would hold. */
async function signIn(userId: string): Promise<Session> {
  const { jwt, session } = authOptions().callbacks!;
  const user = { id: userId } as User;
  const account = { provider: "credentials", type: "credentials", providerAccountId: userId } as Account;
  const token = (await jwt!({ token: { sub: userId } as JWT, user, account })) as JWT;
  // A later request: next-auth runs jwt without the user, then session.
  const later = (await jwt!({ token, user: undefined as unknown as User, account: null })) as JWT;
  return (await session!({
    session: { expires: "" } as Session,
    token: later,
    user: undefined as unknown as AdapterUser,
    newSession: undefined,
    trigger: "update",
  })) as Session;
}

async function newUser(role = "operator", passwordHash: string | null = null) {
  const email = `sessions-${randomUUID()}@example.test`;
  return db.user.create({ data: { email, name: email, role, passwordHash } });
}

test("ATTACK: a session signed in before the password was reset ends at its next request", async () => {
  const user = await newUser();
  cookie.session = await signIn(user.id);
  expect((await getCurrentUser())?.id).toBe(user.id);

  await resetPassword({ id: user.id });
  expect(await getCurrentUser()).toBeNull();

  // Signing in again (with the new password) gives a working session.
  cookie.session = await signIn(user.id);
  expect((await getCurrentUser())?.id).toBe(user.id);
});

test("a disabled user's sessions stay ended when the account is enabled again", async () => {
  const user = await newUser();
  await newUser("admin"); // so that the change is allowed whatever else the database holds
  cookie.session = await signIn(user.id);
  await updateUser({ id: user.id, disabled: true });
  expect(await getCurrentUser()).toBeNull();
  await updateUser({ id: user.id, disabled: false });
  expect(await getCurrentUser()).toBeNull();
});

test("a removed user's session ends", async () => {
  const user = await newUser();
  cookie.session = await signIn(user.id);
  await db.user.delete({ where: { id: user.id } });
  expect(await getCurrentUser()).toBeNull();
});

test("a session without a session version (forged or from before versions) is refused", async () => {
  const user = await newUser();
  cookie.session = { expires: "", user: { id: user.id } } as Session;
  expect(await getCurrentUser()).toBeNull();
});

/** A hash as an older Lifeboat stored it (N=2^14). */
function oldHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 64, { N: 16384, r: 8, p: 1 });
  return ["scrypt", 16384, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
}

test("an old-cost hash is replaced at the next successful sign-in; other sessions stay", async () => {
  const user = await newUser("viewer", oldHash("old-cost-password-1"));
  cookie.session = await signIn(user.id);
  const hashOf = async () =>
    (await db.user.findUnique({ where: { id: user.id }, omit: { passwordHash: false } }))?.passwordHash;

  expect(await authorizeCredentials({ email: user.email, password: "wrong-password-1" }, "10.20.0.1")).toBeNull();
  expect(await hashOf()).toMatch(/^scrypt\$16384\$/);

  expect(
    await authorizeCredentials({ email: user.email, password: "old-cost-password-1" }, "10.20.0.1"),
  ).not.toBeNull();
  expect(await hashOf()).toMatch(/^scrypt\$131072\$8\$1\$/);
  expect(
    await authorizeCredentials({ email: user.email, password: "old-cost-password-1" }, "10.20.0.1"),
  ).not.toBeNull();
  expect((await getCurrentUser())?.id).toBe(user.id);
});

test("cookies are Secure when NEXTAUTH_URL is https", () => {
  expect(authOptions().useSecureCookies).toBe(true);
});
