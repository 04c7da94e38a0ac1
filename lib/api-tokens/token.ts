import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// API tokens: 32 random bytes (base64url) behind a recognisable "lbt_" prefix. Only the sha256 is
// stored: a token has enough entropy that a fast hash cannot be reversed, and a database leak
// gives no usable token. Compared in constant time.

export const TOKEN_PREFIX = "lbt_";

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The first characters shown in the list, to tell tokens apart (8 of 43 random characters). */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 8);
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The token in an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | null): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : null;
}
