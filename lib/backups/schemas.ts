import { z } from "zod";
import { BACKUP_FORMATS } from "@/lib/backups/manifest";
import { RETENTION_CLASSES } from "@/lib/backups/retention";
import { VERIFICATION_STATES } from "@/lib/backups/states";

// Defined in lib/backups/states.ts; kept here for the Backups page's filter until it imports it from there.
export { VERIFICATION_STATES };
export const SORTS = ["takenAt", "size", "key"] as const;
export const PAGE_SIZES = [25, 50, 100] as const;

const optionalId = z
  .string()
  .trim()
  .max(64)
  .optional()
  .transform((v) => v || undefined);
const optionalDay = z
  .string()
  .trim()
  .optional()
  .transform((v) =>
    v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : undefined,
  );

/** The Backups page's URL search parameters; anything malformed falls back to a default. */
export const backupFilterSchema = z.object({
  location: optionalId,
  database: optionalId,
  class: z.enum(RETENTION_CLASSES).optional().catch(undefined),
  /**
   * "unassigned": objects that match no database's key patterns (they have no retention class).
   * They are listed apart: the default list holds the databases' backups only.
   */
  assignment: z.enum(["all", "assigned", "unassigned"]).default("assigned").catch("assigned"),
  format: z.enum(BACKUP_FORMATS).optional().catch(undefined),
  state: z.enum(VERIFICATION_STATES).optional().catch(undefined),
  from: optionalDay,
  to: optionalDay,
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => v?.replace(/\0/g, "") || undefined),
  vanished: z.enum(["hide", "only", "all"]).default("hide").catch("hide"),
  sort: z.enum(SORTS).default("takenAt").catch("takenAt"),
  dir: z.enum(["asc", "desc"]).default("desc").catch("desc"),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).catch(1),
  size: z.coerce
    .number()
    .pipe(z.union(PAGE_SIZES.map((n) => z.literal(n)) as [z.ZodLiteral<25>, z.ZodLiteral<50>, z.ZodLiteral<100>]))
    .default(50)
    .catch(50),
});
export type BackupFilter = z.output<typeof backupFilterSchema>;
