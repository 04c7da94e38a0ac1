import { createHmac, timingSafeEqual } from "node:crypto";
import { keyId } from "@/lib/crypto/secrets";
import type { Manifest } from "./manifest";

// A manifest sits in the same bucket as its backup, so whoever can replace a backup can write a
// manifest that matches it. Lifeboat signs the manifests it writes with an HMAC-SHA256 under a key
// only the console holds (derived from LIFEBOAT_ENCRYPTION_KEY); a manifest without a valid
// signature is shown, but never decides anything (checksum "matches", row counts, migration head,
// format, age). The key is passed in so this file stays pure and testable.

export const MANIFEST_SIGNATURE_ALG = "HMAC-SHA256";
/** The HKDF label of the signing key: distinct from every other use of LIFEBOAT_ENCRYPTION_KEY. */
export const MANIFEST_KEY_LABEL = "manifest signature v1";

export type ManifestTrust =
  | { trusted: true; keyId: string; note: string }
  | { trusted: false; reason: "unsigned" | "other-key" | "bad-signature"; note: string };

/** JSON with object keys sorted at every level: the same manifest always gives the same bytes. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** What the signature covers: every field of the manifest except the signature itself. */
export function manifestSigningInput(m: Manifest): string {
  const body: Partial<Manifest> = { ...m };
  delete body.signature;
  return canonical(body);
}

function mac(m: Manifest, key: Buffer): string {
  return createHmac("sha256", key).update(manifestSigningInput(m), "utf8").digest("hex");
}

export function signManifest(m: Manifest, key: Buffer): Manifest {
  return { ...m, signature: { alg: MANIFEST_SIGNATURE_ALG, keyId: keyId(key), value: mac(m, key) } };
}

export function manifestTrust(m: Manifest, key: Buffer): ManifestTrust {
  const sig = m.signature;
  if (!sig)
    return {
      trusted: false,
      reason: "unsigned",
      note: "unsigned manifest — not trusted: anyone who can write to the bucket could have written it, so its checksum, row counts, migration head and format are shown but decide nothing",
    };
  const id = keyId(key);
  if (sig.keyId !== id)
    return {
      trusted: false,
      reason: "other-key",
      note: `manifest signed with another key (key id ${sig.keyId}, this console's is ${id}) — not trusted: it was written by a console with another LIFEBOAT_ENCRYPTION_KEY, or forged`,
    };
  const want = Buffer.from(mac(m, key), "hex");
  const got = Buffer.from(sig.value, "hex");
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return {
      trusted: false,
      reason: "bad-signature",
      note: "manifest signature does not match its contents — not trusted: the manifest was altered after Lifeboat wrote it",
    };
  return { trusted: true, keyId: id, note: `manifest signed by this console (key id ${id})` };
}
