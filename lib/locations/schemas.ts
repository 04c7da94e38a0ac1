import { z } from "zod";
import { azureConfigSchema, AZURE_SECRET_FIELDS } from "@/lib/storage/azure-config";
import { gcsConfigSchema, GCS_SECRET_FIELDS } from "@/lib/storage/gcs-config";
import { localConfigSchema, LOCAL_SECRET_FIELDS } from "@/lib/storage/local-config";
import { s3ConfigSchema, S3_SECRET_FIELDS } from "@/lib/storage/s3-config";

// A Location's configuration is its driver's: each driver owns its schema and names its
// secret fields, which are encrypted at rest and write-only in the UI (lib/crypto/secrets.ts);
// drivers receive them decrypted.

export const locationConfigSchema = z.discriminatedUnion("kind", [
  localConfigSchema,
  s3ConfigSchema,
  azureConfigSchema,
  gcsConfigSchema,
]);

export type LocationConfig = z.output<typeof locationConfigSchema>;
export type LocationKind = LocationConfig["kind"];
/** Location.kind as stored; SECRET_FIELDS below lists the same kinds, so neither can miss one. */
export const LOCATION_KINDS = ["local", "s3", "azure", "gcs"] as const satisfies readonly LocationKind[];

/** The config fields that hold secrets, per kind. */
export const SECRET_FIELDS = {
  local: LOCAL_SECRET_FIELDS,
  s3: S3_SECRET_FIELDS,
  azure: AZURE_SECRET_FIELDS,
  gcs: GCS_SECRET_FIELDS,
} as const satisfies Record<LocationKind, readonly string[]>;

/**
 * The config fields that say where a location's requests go. Changing one drops the stored
 * secrets unless new ones are typed in the same save: otherwise an admin could send the stored
 * secret to an address of their choosing.
 */
export const ADDRESS_FIELDS = {
  local: ["path"],
  s3: ["endpoint", "bucket", "region", "accessKeyId"],
  azure: ["endpoint", "accountName", "container"],
  gcs: ["apiEndpoint", "bucket", "projectId"],
} as const satisfies Record<LocationKind, readonly string[]>;

export const locationNameSchema = z
  .string()
  .trim()
  .min(1, { message: "Enter a name" })
  .max(80, { message: "Use at most 80 characters" });

export const saveLocationSchema = z.object({
  /** Absent: create. */
  id: z.string().optional(),
  name: locationNameSchema,
  config: locationConfigSchema,
  /** Secret fields to erase on update (empty secret inputs mean "keep what is stored"). */
  clearSecrets: z.array(z.string()).default([]),
});
export type SaveLocationInput = z.input<typeof saveLocationSchema>;

export const locationIdSchema = z.object({ id: z.string().min(1) });
