import "server-only";
import { derivedKey } from "@/lib/crypto/key";
import { readStoredManifest, type Manifest } from "./manifest";
import { MANIFEST_KEY_LABEL, manifestTrust, signManifest, type ManifestTrust } from "./manifest-signature";

// The console's own manifest key (derived from LIFEBOAT_ENCRYPTION_KEY) applied to manifests.

export type CheckedManifest = { manifest: Manifest; trust: ManifestTrust };

const serverKey = () => derivedKey(MANIFEST_KEY_LABEL);

export function signWithServerKey(m: Manifest): Manifest {
  return signManifest(m, serverKey());
}

export function checkManifest(m: Manifest): CheckedManifest {
  return { manifest: m, trust: manifestTrust(m, serverKey()) };
}

/** Backup.manifest as stored, with its signature checked now (a row edited later is checked too). */
export function readCheckedManifest(text: string | null): CheckedManifest | null {
  const m = readStoredManifest(text);
  return m ? checkManifest(m) : null;
}

/** The manifest when its signature holds, else null: what safety decisions may read. */
export function trustedManifest(checked: CheckedManifest | null): Manifest | null {
  return checked?.trust.trusted ? checked.manifest : null;
}
