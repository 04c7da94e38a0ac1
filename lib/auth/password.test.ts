import { expect, test } from "vitest";
import { generatePassword, hashPassword, verifyPassword } from "./password";

test("a hash verifies its own password and nothing else", async () => {
  const hash = await hashPassword("correct horse battery staple");
  expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
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
