import { z } from "zod";
import { prefixSchema } from "./config-fields";

// The S3 driver's configuration (AWS or any S3-compatible endpoint).

export const s3ConfigSchema = z.object({
  kind: z.literal("s3"),
  bucket: z.string().trim().min(3, { message: "Enter the bucket name" }).max(63),
  region: z.string().trim().min(1).default("us-east-1"),
  /** Any S3-compatible endpoint (MinIO, Ceph, R2…); empty for AWS. */
  endpoint: z.union([z.literal(""), z.url({ message: "Enter a URL such as https://s3.example.com" })]).default(""),
  forcePathStyle: z.boolean().default(false),
  /** Empty: the SDK's default credential chain (instance role, env, profile). */
  accessKeyId: z.string().trim().default(""),
  secretAccessKey: z.string().default(""),
  prefix: prefixSchema,
});

/** Fields encrypted at rest and never shown again. */
export const S3_SECRET_FIELDS = ["secretAccessKey"] as const satisfies readonly (keyof S3Config)[];

export type S3Config = Omit<z.output<typeof s3ConfigSchema>, "kind">;
