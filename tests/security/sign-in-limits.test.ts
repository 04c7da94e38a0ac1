import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import { authorizeCredentials } from "@/lib/auth/options";
import { clientAddress, reserveSignInAttempt, SIGN_IN_LIMITS } from "@/lib/auth/throttle";
import { db } from "@/lib/db";

async function userWithPassword(password: string) {
  const email = `limit-${randomUUID()}@example.test`;
  await db.user.create({ data: { email, name: email, role: "admin", passwordHash: await hashPassword(password) } });
  return email;
}

/** How many attempts were really checked against the password (not refused by a limit). */
async function checkedAttempts(email: string) {
  return db.auditEvent.count({ where: { targetId: email, action: "auth.sign_in_failed" } });
}

test("20 parallel wrong passwords for one account: at most 5 are checked, none signs in", async () => {
  const email = await userWithPassword("right-password-123");
  const ip = `10.0.${Math.floor(Math.random() * 250)}.1`;
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => authorizeCredentials({ email, password: `wrong-${i}` }, ip)),
  );
  expect(results.every((r) => r === null)).toBe(true);
  expect(await checkedAttempts(email)).toBeLessThanOrEqual(5);
  // Locked now: even the right password is refused until the window ends.
  expect(await authorizeCredentials({ email, password: "right-password-123" }, ip)).toBeNull();
});

test("one address is limited across accounts, and once over its limit it no longer counts against anyone's account", async () => {
  const ip = `10.1.${Math.floor(Math.random() * 250)}.2`;
  const victim = await userWithPassword("victim-password-123");
  for (let i = 0; i < SIGN_IN_LIMITS.ip.max; i++) {
    await reserveSignInAttempt(`spray-${i}-${randomUUID()}@example.test`, ip);
  }
  const refused = await Promise.all(Array.from({ length: 10 }, () => reserveSignInAttempt(victim, ip)));
  expect(refused.every((g) => !g.allowed && g.limitedBy === "ip")).toBe(true);
  // The victim, from their own address, is not locked out by that.
  expect(await authorizeCredentials({ email: victim, password: "victim-password-123" }, "10.9.9.9")).not.toBeNull();
});

test("the account back-off ends with its window; a right password then signs in and clears the count", async () => {
  const email = await userWithPassword("right-password-456");
  const t0 = Date.now();
  for (let i = 0; i < SIGN_IN_LIMITS.account.max; i++) await reserveSignInAttempt(email, `10.2.0.${i}`, t0);
  expect(await reserveSignInAttempt(email, "10.2.1.1", t0 + 1000)).toEqual({ allowed: false, limitedBy: "account" });
  expect(await reserveSignInAttempt(email, "10.2.1.1", t0 + SIGN_IN_LIMITS.account.windowMs + 1)).toEqual({
    allowed: true,
  });
  expect(await authorizeCredentials({ email, password: "right-password-456" }, "10.2.1.1")).not.toBeNull();
  expect(await db.signInLimit.findUnique({ where: { key: `account:${email}` } })).toBeNull();
});

test.each([
  [{ "x-forwarded-for": "203.0.113.9, 10.0.0.1" }, "10.0.0.1"],
  [{ "x-forwarded-for": "203.0.113.9" }, "203.0.113.9"],
  [{ "x-real-ip": "198.51.100.4" }, "198.51.100.4"],
  [{}, "unknown"],
  [undefined, "unknown"],
])("client address from %o is %s", (headers, expected) => {
  expect(clientAddress(headers)).toBe(expected);
});
