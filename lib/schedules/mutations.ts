import "server-only";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import type { z } from "zod";
import type { deleteScheduleSchema, saveScheduleSchema } from "@/lib/schedules/schemas";

// Schedule writes. Called only through lib/schedules/commands.ts (admin role, audit event).

export async function saveSchedule(input: z.output<typeof saveScheduleSchema>) {
  const database = await db.database.findUnique({ where: { id: input.databaseId }, select: { id: true, name: true } });
  if (!database) throw new NotFoundError("The database");
  const copies = [...new Set(input.copyLocationIds)].filter((id) => id !== input.locationId);
  const found = await db.location.findMany({
    where: { id: { in: [input.locationId, ...copies] } },
    select: { id: true },
  });
  if (found.length !== copies.length + 1)
    throw new UserError("A chosen location no longer exists: reload the page and choose again.", 409);
  const existing = await db.backupSchedule.findUnique({ where: { databaseId: database.id } });
  const data = {
    cron: input.cron,
    enabled: input.enabled,
    format: input.format,
    locationId: input.locationId,
    copyLocationIds: JSON.stringify(copies),
  };
  // A new or changed timetable starts counting from now: saving never triggers a "missed" run.
  const restart = !existing || existing.cron !== input.cron || (!existing.enabled && input.enabled);
  const saved = existing
    ? await db.backupSchedule.update({
        where: { id: existing.id },
        data: { ...data, ...(restart ? { lastDueAt: new Date() } : {}) },
      })
    : await db.backupSchedule.create({ data: { ...data, databaseId: database.id, lastDueAt: new Date() } });
  return { id: saved.id, databaseId: database.id, name: database.name, cron: saved.cron, enabled: saved.enabled };
}

export async function deleteSchedule(input: z.output<typeof deleteScheduleSchema>) {
  const existing = await db.backupSchedule.findUnique({ where: { databaseId: input.databaseId } });
  if (!existing) throw new NotFoundError("The schedule");
  await db.backupSchedule.delete({ where: { id: existing.id } });
  return { id: existing.id, databaseId: input.databaseId };
}
