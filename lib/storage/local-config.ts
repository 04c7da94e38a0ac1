import { z } from "zod";
import { prefixSchema } from "./config-fields";

// The local driver's configuration: what a location form asks for and the driver needs.

export const localConfigSchema = z.object({
  kind: z.literal("local"),
  path: z
    .string()
    .trim()
    .min(1, { message: "Enter the folder's absolute path" })
    .refine((p) => p.startsWith("/"), {
      message: "Use an absolute path such as /var/backups/postgres",
    }),
  prefix: prefixSchema,
});

/** Fields encrypted at rest and never shown again. */
export const LOCAL_SECRET_FIELDS = [] as const satisfies readonly (keyof LocalConfig)[];

export type LocalConfig = Omit<z.output<typeof localConfigSchema>, "kind">;
