import { z } from "zod";
import { parseStoredJson } from "@/lib/stored-json";
import { backupRunFormatSchema } from "@/lib/backups/backup-run-kind";
import { cronProblem, DEFAULT_CRON } from "@/lib/schedules/cron";

// The schedule form's input, checked the same way on the server and in the browser.

const cronSchema = z
  .string()
  .trim()
  .default(DEFAULT_CRON)
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const saveScheduleSchema = z.object({
  databaseId: z.string().min(1),
  cron: cronSchema,
  enabled: z.boolean().default(true),
  format: backupRunFormatSchema.default("custom"),
  locationId: z.string().min(1, { message: "Choose the location the backups go to" }),
  copyLocationIds: z.array(z.string().min(1)).max(5).default([]),
});
export type SaveScheduleInput = z.input<typeof saveScheduleSchema>;

export const deleteScheduleSchema = z.object({ databaseId: z.string().min(1) });

/** BackupSchedule.copyLocationIds (JSON array of Location ids). */
export function storedCopyLocationIds(json: string): string[] {
  return parseStoredJson(json, z.array(z.string()), "BackupSchedule.copyLocationIds");
}
