import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// AES-256-GCM for credentials at rest. Format: "v1.<iv>.<tag>.<ciphertext>" (base64url).
// The key comes from LIFEBOAT_ENCRYPTION_KEY (lib/env.ts); callers pass it in so this
// file stays pure and testable.

export function encryptSecret(plaintext: string, key: Buffer): string {
  if (key.length !== 32) throw new Error("encryption key must be 32 bytes");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(
    ".",
  );
}

export class DecryptError extends Error {
  constructor() {
    super(
      "A stored credential cannot be decrypted: LIFEBOAT_ENCRYPTION_KEY is not the key it was saved with. " +
        "Restore the original key, or enter the credential again.",
    );
    this.name = "DecryptError";
  }
}

export function decryptSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ct === undefined) throw new DecryptError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptError();
  }
}
