import "server-only";
import { z } from "zod";
import {
  ADDRESS_FIELDS,
  LOCATION_KINDS,
  locationConfigSchema,
  SECRET_FIELDS,
  type LocationConfig,
  type LocationKind,
} from "@/lib/locations/schemas";
import { seal, unseal } from "@/lib/crypto/key";
import { checkStored, parseStoredJson, storedState } from "@/lib/stored-json";

// Splits a Location's config into what may be shown (stored as JSON) and what may not
// (sealed with AES-256-GCM). Secrets go in, never come back out to a browser.

type StoredLocation = { id: string; kind: string; config: string; secrets: string | null };

/** A location's sealed secrets open only on its own row. */
const secretsContext = (locationId: string) => ({ table: "Location", id: locationId, field: "secrets" });

/** Location.config as splitConfig writes it: the non-secret fields. */
export const storedPublicConfigSchema = z.record(z.string(), z.unknown());
/** Location.secrets, once unsealed: the secret fields splitConfig set aside. */
const storedSecretsSchema = z.record(z.string(), z.string());

export function storedLocationKind(kind: string): LocationKind {
  return storedState(LOCATION_KINDS, kind, "location kind (Location.kind)");
}

/** The shown part of a Location's config. */
export function publicConfigOf(location: Pick<StoredLocation, "config">): Record<string, unknown> {
  return parseStoredJson(location.config, storedPublicConfigSchema, "location configuration (Location.config)");
}

export function secretFieldsOf(kind: LocationKind): readonly string[] {
  return SECRET_FIELDS[kind];
}

export function splitConfig(config: LocationConfig): {
  publicConfig: Record<string, unknown>;
  secrets: Record<string, string>;
} {
  const publicConfig: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  const secretNames = new Set<string>(secretFieldsOf(config.kind));
  for (const [k, v] of Object.entries(config)) {
    if (secretNames.has(k)) {
      if (typeof v === "string" && v !== "") secrets[k] = v;
    } else publicConfig[k] = v;
  }
  return { publicConfig, secrets };
}

export function sealSecrets(locationId: string, secrets: Record<string, string>): string | null {
  return Object.keys(secrets).length ? seal(JSON.stringify(secrets), secretsContext(locationId)) : null;
}

export function unsealSecrets(location: Pick<StoredLocation, "id" | "secrets">): Record<string, string> {
  const sealed = location.secrets;
  return sealed
    ? parseStoredJson(
        unseal(sealed, secretsContext(location.id)),
        storedSecretsSchema,
        "location's secrets (Location.secrets)",
      )
    : {};
}

/**
 * The stored secrets an edit may keep: none when the kind or any address field changed, so a
 * stored secret never goes to an address it was not typed for.
 */
export function keptSecrets(existing: StoredLocation, config: LocationConfig): Record<string, string> {
  if (existing.kind !== config.kind || addressChanged(existing, config)) return {};
  return unsealSecrets(existing);
}

/** The address fields of a configuration (none of them secret), for the audit log. */
export function addressOf(config: LocationConfig): Record<string, unknown> {
  const all: Record<string, unknown> = config;
  return Object.fromEntries(ADDRESS_FIELDS[config.kind].map((f) => [f, all[f]]));
}

export function addressChanged(existing: StoredLocation, config: LocationConfig): boolean {
  const before = publicConfigOf(existing);
  const after: Record<string, unknown> = config;
  const norm = (v: unknown) => (typeof v === "string" ? v.trim() : (v ?? ""));
  return ADDRESS_FIELDS[config.kind].some((f) => norm(before[f]) !== norm(after[f]));
}

/** The full, decrypted configuration, for a storage driver. Never send it to a browser. */
export function fullConfig(location: StoredLocation): LocationConfig {
  const merged = {
    ...publicConfigOf(location),
    ...unsealSecrets(location),
    kind: storedLocationKind(location.kind),
  };
  return checkStored(merged, locationConfigSchema, "location configuration (Location.config)");
}

/** Which secret fields are set (true/false), safe to show. */
export function secretsSet(location: StoredLocation): Record<string, boolean> {
  const present = unsealSecretsSafe(location);
  return Object.fromEntries(secretFieldsOf(storedLocationKind(location.kind)).map((f) => [f, Boolean(present[f])]));
}

function unsealSecretsSafe(location: Pick<StoredLocation, "id" | "secrets">): Record<string, string> {
  try {
    return unsealSecrets(location);
  } catch {
    return {};
  }
}
