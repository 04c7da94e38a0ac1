import "server-only";
import { env } from "@/lib/env";
import { decryptSecret, encryptSecret, type SealContext } from "@/lib/crypto/secrets";

const key = () => Buffer.from(env().LIFEBOAT_ENCRYPTION_KEY, "base64");

/** Seals a secret for one row's field (pass the context: it opens only there). */
export const seal = (plaintext: string, ctx?: SealContext) => encryptSecret(plaintext, key(), ctx);
export const unseal = (sealed: string, ctx?: SealContext) => decryptSecret(sealed, key(), ctx);
