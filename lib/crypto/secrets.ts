import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

// AES-256-GCM for credentials at rest. Format: "v2.<key id>.<iv>.<tag>.<ciphertext>" (base64url),
// bound by additional authenticated data to the row and field it belongs to, so a sealed value
// copied to another row or field does not open. The key id names the key that sealed it (for
// rotation: a value sealed with another key says so instead of failing as "tampered"). "v1.<iv>.
// <tag>.<ciphertext>" values (no key id, no binding) still open; their owners re-seal them as v2
// on the next save. The tag is always 16 bytes: a shorter one is refused, not truncated-checked.
// The key comes from LIFEBOAT_ENCRYPTION_KEY (lib/env.ts); callers pass it in so this file stays
// pure and testable.

/** Where a sealed value lives: it opens only there. */
export type SealContext = { table: string; id: string; field: string };

const TAG_BYTES = 16;

function aad(ctx: SealContext): Buffer {
  return Buffer.from(JSON.stringify([ctx.table, ctx.id, ctx.field]), "utf8");
}

/** A short, non-secret name of a key: the first 8 characters of its SHA-256 (base64url). */
export function keyId(key: Buffer): string {
  return createHash("sha256").update("lifeboat-key-id").update(key).digest("base64url").slice(0, 8);
}

export function encryptSecret(plaintext: string, key: Buffer, ctx?: SealContext): string {
  if (key.length !== 32) throw new Error("encryption key must be 32 bytes");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  if (!ctx) {
    // Unbound: only for values that have no row yet (tests, the demo's seed).
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(
      ".",
    );
  }
  cipher.setAAD(aad(ctx));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [
    "v2",
    keyId(key),
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    ct.toString("base64url"),
  ].join(".");
}

export class DecryptError extends Error {
  constructor(
    message = "A stored credential cannot be decrypted: LIFEBOAT_ENCRYPTION_KEY is not the key it was saved with, " +
      "or the value was altered. Restore the original key, or enter the credential again.",
  ) {
    super(message);
    this.name = "DecryptError";
  }
}

/** True when a sealed value should be sealed again (an older format). */
export function needsReseal(sealed: string): boolean {
  return !sealed.startsWith("v2.");
}

export function decryptSecret(sealed: string, key: Buffer, ctx?: SealContext): string {
  const parts = sealed.split(".");
  let iv: string | undefined, tag: string | undefined, ct: string | undefined;
  let bound: SealContext | undefined;
  if (parts[0] === "v1" && parts.length === 4) {
    [, iv, tag, ct] = parts;
  } else if (parts[0] === "v2" && parts.length === 5) {
    if (!ctx) throw new DecryptError();
    if (parts[1] !== keyId(key)) {
      throw new DecryptError(
        `A stored credential was sealed with another key (key id ${parts[1]}, this server's is ${keyId(key)}): ` +
          "restore the LIFEBOAT_ENCRYPTION_KEY it was saved with, or enter the credential again.",
      );
    }
    [, , iv, tag, ct] = parts;
    bound = ctx;
  } else throw new DecryptError();
  if (!iv || !tag || ct === undefined) throw new DecryptError();
  const tagBytes = Buffer.from(tag, "base64url");
  if (tagBytes.length !== TAG_BYTES) throw new DecryptError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
    if (bound) decipher.setAAD(aad(bound));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptError();
  }
}
