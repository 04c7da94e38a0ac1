import { z } from "zod";
import { prefixSchema } from "./config-fields";

// The Google Cloud Storage driver's configuration.

export const gcsConfigSchema = z.object({
  kind: z.literal("gcs"),
  bucket: z.string().trim().min(3, { message: "Enter the bucket name" }).max(222),
  projectId: z.string().trim().default(""),
  /** Service-account key JSON; empty for application default credentials. */
  credentialsJson: z.string().default(""),
  /** API endpoint override (an emulator); empty for Google. */
  apiEndpoint: z.union([z.literal(""), z.url()]).default(""),
  prefix: prefixSchema,
});

/** Fields encrypted at rest and never shown again. */
export const GCS_SECRET_FIELDS = ["credentialsJson"] as const satisfies readonly (keyof GcsConfig)[];

export type GcsConfig = Omit<z.output<typeof gcsConfigSchema>, "kind">;
