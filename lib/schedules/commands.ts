import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { deleteScheduleSchema, saveScheduleSchema } from "@/lib/schedules/schemas";
import { deleteSchedule, saveSchedule } from "@/lib/schedules/mutations";
import { startBackupRun } from "@/lib/backups/backup-run";
import { backupRunFormatSchema } from "@/lib/backups/backup-run-kind";
import { manualBackupLabelSchema } from "@/lib/backups/labels";

// Backups Lifeboat takes: an operator's Back up now, and an admin's schedule per database.

export const saveScheduleCommand = defineCommand({
  name: "schedules.save",
  role: "admin",
  input: saveScheduleSchema,
  transaction: true,
  handler: (input) => saveSchedule(input),
  audit: {
    action: "schedule.save",
    targetType: "database",
    targetId: (_, r) => r.databaseId,
    detail: (input, r) => ({
      database: r.name,
      cron: r.cron,
      enabled: r.enabled,
      format: input.format,
      locationId: input.locationId,
      copyLocationIds: input.copyLocationIds,
    }),
  },
});

export const deleteScheduleCommand = defineCommand({
  name: "schedules.delete",
  role: "admin",
  input: deleteScheduleSchema,
  transaction: true,
  handler: (input) => deleteSchedule(input),
  audit: { action: "schedule.delete", targetType: "database", targetId: (_, r) => r.databaseId },
});

export const backUpNowSchema = z.object({
  databaseId: z.string().min(1),
  label: manualBackupLabelSchema.default("manual"),
  locationId: z.string().min(1).optional(),
  format: backupRunFormatSchema.optional(),
});

export const backUpNowCommand = defineCommand({
  name: "backups.back-up-now",
  role: "operator",
  input: backUpNowSchema,
  handler: async (input, user) => {
    const { runId, key } = await startBackupRun(
      {
        databaseId: input.databaseId,
        label: input.label,
        locationId: input.locationId ?? null,
        format: input.format ?? null,
        trigger: "manual",
        requestedBy: user.email,
      },
      user,
    );
    return { runId, key };
  },
  audit: {
    action: "backup.back_up_now",
    targetType: "database",
    targetId: (input) => input.databaseId,
    detail: (input, r) => ({ label: input.label, runId: r.runId, key: r.key }),
  },
});
