import { z } from "zod";

// What the deletion scenario's preview step returns (RunStep.result of "preview-rows"). Plain
// zod, no I/O: the step that produces it, the copy-back that reads it and the run page that
// shows it next to "Confirm and continue" all parse with this one schema.

/**
 * How many of the missing ids the stored result keeps: enough to recognise them on the run
 * page, small enough that a run of a million deleted rows is not a megabyte of JSON on every
 * poll. The whole list is kept in the run's work folder for the copy-back (preview-ids.ts).
 */
export const PREVIEW_IDS_KEPT = 200;

export const previewResultSchema = z.object({
  table: z.string(),
  schema: z.string(),
  name: z.string(),
  idColumn: z.string(),
  idType: z.string(),
  columns: z.array(z.string()).min(1),
  inBackup: z.number(),
  inProduction: z.number(),
  /** How many rows the copy-back inserts: all the ids, of which `ids` holds the first. */
  missing: z.number(),
  /** The first PREVIEW_IDS_KEPT missing ids (every id in runs from before the cap). */
  ids: z.array(z.string()),
  /** sha256 of the whole id list (JSON); the copy-back copies only a list that matches it. Absent in runs from before the cap. */
  idsSha256: z.string().optional(),
  /** The first missing rows as text, for the operator to recognise them (runs from before it have none). */
  sample: z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.string())) }).optional(),
});
export type PreviewStepResult = z.output<typeof previewResultSchema>;
