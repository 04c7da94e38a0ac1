import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { deleteScheduleSchema, saveScheduleSchema } from "@/lib/schedules/schemas";
import { deleteSchedule, saveSchedule } from "@/lib/schedules/mutations";
import { reconcileBackupAlert, resolveBackupPlan, startBackupRun } from "@/lib/backups/backup-run";
import { backupRunFormatSchema, isBackupRun } from "@/lib/backups/backup-run-kind";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { resumeRun } from "@/lib/runner/runs";
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

/** Runs a failed or interrupted backup run again from its first step that did not finish. */
export const resumeBackupCommand = defineCommand({
  name: "backups.resume-run",
  role: "operator",
  input: z.object({ runId: z.string().min(1) }),
  handler: async (input, user) => {
    const run = await db.run.findUnique({ where: { id: input.runId }, select: { scenarioId: true } });
    if (!run) throw new NotFoundError("The run");
    if (!isBackupRun(run.scenarioId)) throw new UserError("This run is a restore: resume it from its own page.", 409);
    const { fromStep, done } = await resumeRun({ runId: input.runId, actor: user, resolvePlan: resolveBackupPlan });
    void done.then(() => reconcileBackupAlert(input.runId));
    return { runId: input.runId, fromStep };
  },
  audit: { action: "run.resume", recordedBy: "runner" },
});
