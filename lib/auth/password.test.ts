import { expect, test } from "vitest";
import { scryptSync, randomBytes } from "node:crypto";
import { generatePassword, hashPassword, needsRehash, verifyPassword } from "./password";

test("a hash verifies its own password and nothing else", async () => {
  const hash = await hashPassword("correct horse battery staple");
  // OWASP's cost for scrypt: N=2^17, r=8, p=1.
  expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
  expect(hash).not.toContain("correct horse");
  expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
  expect(await verifyPassword("correct horse battery stapl", hash)).toBe(false);
  expect(await verifyPassword("", hash)).toBe(false);
});

test("two hashes of one password differ (salted)", async () => {
  expect(await hashPassword("same password here")).not.toBe(await hashPassword("same password here"));
});

test.each([null, undefined, "", "plain", "bcrypt$x$y$z$a$b", "scrypt$1$2$3"])(
  "a malformed stored hash (%s) never verifies",
  async (stored) => {
    expect(await verifyPassword("anything", stored)).toBe(false);
  },
);

test("generated passwords are long and varied", () => {
  const a = generatePassword();
  expect(a).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
  expect(generatePassword()).not.toBe(a);
});

/** A hash as an older Lifeboat stored it (N=2^14). */
function oldHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 64, { N: 16384, r: 8, p: 1 });
  return ["scrypt", 16384, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
}

test("a hash with the old parameters still verifies and is marked for rehashing; a new one is not", async () => {
  const old = oldHash("an older password");
  expect(await verifyPassword("an older password", old)).toBe(true);
  expect(await verifyPassword("another password", old)).toBe(false);
  expect(needsRehash(old)).toBe(true);
  expect(needsRehash(await hashPassword("a new password"))).toBe(false);
  expect(needsRehash(null)).toBe(false);
});
