import "server-only";
import { env } from "@/lib/env";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";

const key = () => Buffer.from(env().LIFEBOAT_ENCRYPTION_KEY, "base64");

export const seal = (plaintext: string) => encryptSecret(plaintext, key());
export const unseal = (sealed: string) => decryptSecret(sealed, key());
