import { z } from "zod";

export const createApiTokenSchema = z
  .object({
    name: z.string().trim().min(1, { message: "Name the token after what uses it, e.g. deploy pipeline" }).max(80),
    /** Every database, or only those listed. */
    allDatabases: z.boolean().default(false),
    databaseIds: z.array(z.string().min(1)).max(500).default([]),
  })
  .refine((v) => v.allDatabases || v.databaseIds.length > 0, {
    message: "Choose the databases this token may back up, or every database",
    path: ["databaseIds"],
  });

export const revokeApiTokenSchema = z.object({ id: z.string().min(1) });
