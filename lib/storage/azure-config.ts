import { z } from "zod";
import { prefixSchema } from "./config-fields";

// The Azure Blob driver's configuration: a container, and either a connection string or an
// account name with a key or a SAS token.

export const azureConfigSchema = z.object({
  kind: z.literal("azure"),
  container: z.string().trim().min(3, { message: "Enter the container name" }).max(63),
  connectionString: z.string().default(""),
  accountName: z.string().trim().default(""),
  accountKey: z.string().default(""),
  sasToken: z.string().default(""),
  /** Blob endpoint override, e.g. http://127.0.0.1:10000/devstoreaccount1 for Azurite. */
  endpoint: z.union([z.literal(""), z.url()]).default(""),
  prefix: prefixSchema,
});

/** Fields encrypted at rest and never shown again. */
export const AZURE_SECRET_FIELDS = [
  "connectionString",
  "accountKey",
  "sasToken",
] as const satisfies readonly (keyof AzureConfig)[];

export type AzureConfig = Omit<z.output<typeof azureConfigSchema>, "kind">;
