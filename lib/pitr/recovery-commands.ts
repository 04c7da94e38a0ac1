import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { db } from "@/lib/db";
import { INSTANCE_ID_PATTERN } from "./recovery-files";
import { keepRecoveryInstance, removeRecoveryInstance, stopRecoveryInstance } from "./recovery";

// Operators' writes on recovery instances: keep one for inspection, stop it, remove it (stop,
// delete its folder). None is transactional: each may run pg_ctl or delete files.

const instanceId = z.string().regex(INSTANCE_ID_PATTERN, { message: "is not a recovery instance id" });

/** Names for the audit event: which database, which port (never a password). */
async function describe(id: string) {
  const row = await db.recoveryInstance.findUnique({
    where: { id },
    select: { port: true, runId: true, database: { select: { name: true } } },
  });
  return { database: row?.database.name ?? null, port: row?.port ?? null, runId: row?.runId ?? null };
}

export const keepRecoveryInstanceCommand = defineCommand({
  name: "pitr.keep-recovery-instance",
  role: "operator",
  input: z.object({
    instanceId,
    hours: z.coerce
      .number({ message: "must be a number of hours" })
      .int({ message: "must be whole hours" })
      .min(1, { message: "must be at least 1 hour" })
      .max(336, { message: "must be at most 336 hours (14 days)" }),
  }),
  handler: async (input) => {
    const { keepUntil } = await keepRecoveryInstance(input.instanceId, input.hours);
    return { keepUntil: keepUntil.toISOString(), ...(await describe(input.instanceId)) };
  },
  audit: {
    action: "recovery-instance.keep",
    targetType: "recovery-instance",
    targetId: (input) => input.instanceId,
    detail: (input, r) => ({ hours: input.hours, keepUntil: r.keepUntil, database: r.database, port: r.port }),
  },
});

export const stopRecoveryInstanceCommand = defineCommand({
  name: "pitr.stop-recovery-instance",
  role: "operator",
  input: z.object({ instanceId }),
  handler: async (input) => ({
    ...(await stopRecoveryInstance(input.instanceId)),
    ...(await describe(input.instanceId)),
  }),
  audit: {
    action: "recovery-instance.stop",
    targetType: "recovery-instance",
    targetId: (input) => input.instanceId,
    detail: (_, r) => ({ stopped: r.stopped, database: r.database, port: r.port }),
  },
});

export const removeRecoveryInstanceCommand = defineCommand({
  name: "pitr.remove-recovery-instance",
  role: "operator",
  input: z.object({ instanceId }),
  handler: async (input) => ({
    ...(await removeRecoveryInstance(input.instanceId)),
    ...(await describe(input.instanceId)),
  }),
  audit: {
    action: "recovery-instance.remove",
    targetType: "recovery-instance",
    targetId: (input) => input.instanceId,
    detail: (_, r) => ({
      removed: r.removed,
      folderDeleted: r.folderDeleted,
      database: r.database,
      port: r.port,
      runId: r.runId,
    }),
  },
});
