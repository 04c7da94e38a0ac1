import "server-only";
import { hkdfSync } from "node:crypto";
import { env } from "@/lib/env";
import { decryptSecret, encryptSecret, type SealContext } from "@/lib/crypto/secrets";

const key = () => Buffer.from(env().LIFEBOAT_ENCRYPTION_KEY, "base64");

/** Seals a secret for one row's field (pass the context: it opens only there). */
export const seal = (plaintext: string, ctx?: SealContext) => encryptSecret(plaintext, key(), ctx);
export const unseal = (sealed: string, ctx?: SealContext) => decryptSecret(sealed, key(), ctx);

/**
 * A key for another purpose (signing manifests, …), derived from LIFEBOAT_ENCRYPTION_KEY with
 * HKDF-SHA256 and a label of its own: no new setting, and no key serves two purposes.
 */
export const derivedKey = (label: string) =>
  Buffer.from(hkdfSync("sha256", key(), Buffer.alloc(0), `lifeboat ${label}`, 32));
