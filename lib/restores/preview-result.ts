import { z } from "zod";

// What the deletion scenario's preview step returns (RunStep.result of "preview-rows"). Plain
// zod, no I/O: the step that produces it, the copy-back that reads it and the run page that
// shows it next to "Confirm and continue" all parse with this one schema.

export const previewResultSchema = z.object({
  table: z.string(),
  schema: z.string(),
  name: z.string(),
  idColumn: z.string(),
  idType: z.string(),
  columns: z.array(z.string()).min(1),
  inBackup: z.number(),
  inProduction: z.number(),
  missing: z.number(),
  ids: z.array(z.string()),
  /** The first missing rows as text, for the operator to recognise them (runs from before it have none). */
  sample: z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.string())) }).optional(),
});
export type PreviewStepResult = z.output<typeof previewResultSchema>;
