import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// scrypt from node:crypto: no native dependency. Stored as
// "scrypt$N$r$p$salt(base64)$hash(base64)" so parameters can be raised: a hash with older
// parameters still verifies, and is replaced at the user's next successful sign-in.
// OWASP's Password Storage Cheat Sheet: N=2^17, r=8, p=1 (128 MiB, some 0.3 s a hash).
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const { N, r: R, p: P } = SCRYPT_PARAMS;
const KEYLEN = 64;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEYLEN, { N: n, r, p, maxmem: 256 * n * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** True when the stored hash was made with weaker parameters than today's (rehash it). */
export function needsRehash(stored: string | null | undefined): boolean {
  const parts = stored?.split("$") ?? [];
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  return Number(parts[1]) < N || Number(parts[2]) < R || Number(parts[3]) < P;
}

/** A readable random password for generated accounts (demo admin, resets). */
export function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(20);
  let out = "";
  for (let i = 0; i < 20; i++) {
    out += alphabet[bytes[i]! % alphabet.length];
    if (i % 5 === 4 && i < 19) out += "-";
  }
  return out;
}
