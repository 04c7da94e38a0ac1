import { z } from "zod";

// A Location's configuration. Fields marked secret are encrypted at rest and
// write-only in the UI (lib/crypto/secrets.ts); drivers receive them decrypted.

const prefix = z
  .string()
  .trim()
  .max(512)
  .default("")
  .refine((p) => !p.includes("\0") && !p.split("/").includes(".."), { message: "A prefix cannot contain NUL or '..'" });

export const localConfigSchema = z.object({
  kind: z.literal("local"),
  path: z.string().trim().min(1, { message: "Enter the folder's absolute path" }).refine((p) => p.startsWith("/"), {
    message: "Use an absolute path such as /var/backups/postgres",
  }),
  prefix,
});

export const s3ConfigSchema = z.object({
  kind: z.literal("s3"),
  bucket: z.string().trim().min(3, { message: "Enter the bucket name" }).max(63),
  region: z.string().trim().min(1).default("us-east-1"),
  /** Any S3-compatible endpoint (MinIO, Ceph, R2…); empty for AWS. */
  endpoint: z.union([z.literal(""), z.url({ message: "Enter a URL such as https://s3.example.com" })]).default(""),
  forcePathStyle: z.boolean().default(false),
  /** Empty: the SDK's default credential chain (instance role, env, profile). */
  accessKeyId: z.string().trim().default(""),
  secretAccessKey: z.string().default(""), // secret
  prefix,
});

export const azureConfigSchema = z.object({
  kind: z.literal("azure"),
  container: z.string().trim().min(3, { message: "Enter the container name" }).max(63),
  /** Either a connection string, or an account name with a key or a SAS token. */
  connectionString: z.string().default(""), // secret
  accountName: z.string().trim().default(""),
  accountKey: z.string().default(""), // secret
  sasToken: z.string().default(""), // secret
  /** Blob endpoint override, e.g. http://127.0.0.1:10000/devstoreaccount1 for Azurite. */
  endpoint: z.union([z.literal(""), z.url()]).default(""),
  prefix,
});

export const gcsConfigSchema = z.object({
  kind: z.literal("gcs"),
  bucket: z.string().trim().min(3, { message: "Enter the bucket name" }).max(222),
  projectId: z.string().trim().default(""),
  /** Service-account key JSON; empty for application default credentials. */
  credentialsJson: z.string().default(""), // secret
  /** API endpoint override (an emulator); empty for Google. */
  apiEndpoint: z.union([z.literal(""), z.url()]).default(""),
  prefix,
});

export const locationConfigSchema = z.discriminatedUnion("kind", [
  localConfigSchema,
  s3ConfigSchema,
  azureConfigSchema,
  gcsConfigSchema,
]);

export type LocationConfig = z.output<typeof locationConfigSchema>;
export type LocationKind = LocationConfig["kind"];

/** The config fields that hold secrets, per kind. */
export const SECRET_FIELDS = {
  local: [],
  s3: ["secretAccessKey"],
  azure: ["connectionString", "accountKey", "sasToken"],
  gcs: ["credentialsJson"],
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
