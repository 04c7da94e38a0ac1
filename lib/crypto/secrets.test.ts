import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { decryptSecret, DecryptError, encryptSecret } from "./secrets";

const key = randomBytes(32);

test("round-trips unicode and long secrets without the plaintext in the sealed form", () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ünïcødé " + "x".repeat(5000);
  const sealed = encryptSecret(secret, key);
  expect(sealed).toMatch(/^v1\./);
  expect(sealed).not.toContain("wJalrXUtnFEMI");
  expect(decryptSecret(sealed, key)).toBe(secret);
});

test("the same secret seals differently each time (random IV)", () => {
  expect(encryptSecret("s", key)).not.toBe(encryptSecret("s", key));
});

test.each([
  ["another key", (s: string) => decryptSecret(s, randomBytes(32))],
  ["tampered ciphertext", (s: string) => decryptSecret(s.slice(0, -2) + (s.endsWith("A") ? "BB" : "AA"), key)],
  ["garbage", () => decryptSecret("not sealed", key)],
])("%s is refused with a message that says what to do", (_name, attempt) => {
  const sealed = encryptSecret("secret", key);
  expect(() => attempt(sealed)).toThrow(DecryptError);
  expect(() => attempt(sealed)).toThrow(/LIFEBOAT_ENCRYPTION_KEY/);
});
