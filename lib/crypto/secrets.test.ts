import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { decryptSecret, DecryptError, encryptSecret, keyId, needsReseal } from "./secrets";

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

const row = { table: "Location", id: "loc-a", field: "secrets" };

test("a value sealed for a row opens there, and carries the key's id", () => {
  const sealed = encryptSecret("secret", key, row);
  expect(sealed.split(".").slice(0, 2)).toEqual(["v2", keyId(key)]);
  expect(decryptSecret(sealed, key, row)).toBe("secret");
});

test.each([
  ["another row", { ...row, id: "loc-b" }],
  ["another field", { ...row, field: "config" }],
  ["another table", { ...row, table: "Database" }],
  ["no row at all", undefined],
])("a sealed value moved to %s does not open", (_name, elsewhere) => {
  const sealed = encryptSecret("secret", key, row);
  expect(() => decryptSecret(sealed, key, elsewhere)).toThrow(DecryptError);
});

test("a value sealed with another key names that key instead of looking tampered", () => {
  const other = randomBytes(32);
  const sealed = encryptSecret("secret", other, row);
  expect(() => decryptSecret(sealed, key, row)).toThrow(new RegExp(`key id ${keyId(other)}`));
});

test("a truncated tag is refused (the tag length is pinned to 16 bytes)", () => {
  for (const sealed of [encryptSecret("secret", key, row), encryptSecret("secret", key)]) {
    const parts = sealed.split(".");
    const tagAt = parts.length - 2;
    parts[tagAt] = Buffer.from(parts[tagAt]!, "base64url").subarray(0, 4).toString("base64url");
    expect(() => decryptSecret(parts.join("."), key, row)).toThrow(DecryptError);
  }
});

test("an older v1 value still opens, and is marked for sealing again", () => {
  const old = encryptSecret("secret", key);
  expect(decryptSecret(old, key, row)).toBe("secret");
  expect(needsReseal(old)).toBe(true);
  expect(needsReseal(encryptSecret("secret", key, row))).toBe(false);
});
