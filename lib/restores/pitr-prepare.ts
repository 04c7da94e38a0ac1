import { z } from "zod";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { recoveryTargetSchema } from "@/lib/pitr/recovery-target";
import { readRecoverableWindow } from "@/lib/pitr/window";
import type { StepStatus } from "@/lib/runner/states";
import { pitrBackupSource, type PitrSource } from "./pitr-source";
import { choosePitrBaseBackup, currentWindowProblem, walArchiveOf, type PitrChoice } from "./pitr-window";
import type { PlanCommon, PlanTarget } from "./plans";

// The wizard's point-in-time choice turned into what a plan is built from: the window is read
// now, the moment checked against it (refused, naming the newest recoverable moment, when it
// is after it) and the base backup chosen. All of it is stored on the run, so confirm and
// resume rebuild exactly the plan that was confirmed, whatever the archive holds later; the
// base backup must still be in the archive until the recovery instance is up.

/** What the wizard sends when the operator chooses "restore to a moment". */
export const pitrInputSchema = z.object({
  target: recoveryTargetSchema,
  /** For "the end of a base backup": which one (default: the newest). */
  baseBackupLabel: z.string().trim().max(200).optional(),
  /** Keep the recovery instance this many hours for inspection (0: remove it at the end). */
  keepHours: z.number().int().min(0, { message: "0 to 72 hours" }).max(72, { message: "0 to 72 hours" }).default(0),
  /** The operator's time zone (the browser's), so a refusal names moments in it beside UTC. */
  timeZone: z.string().max(64).optional(),
});
export type PitrInput = z.output<typeof pitrInputSchema>;

/** Kept in the run's options: everything the plan's steps say, fixed when the plan was made. */
export const storedPitrSchema = z.object({
  stanza: z.string(),
  target: recoveryTargetSchema,
  baseBackup: z.object({ label: z.string(), type: z.string(), stoppedAt: z.string().nullable() }),
  window: z.object({ from: z.string().nullable(), newestRecoverable: z.string().nullable() }),
  keepHours: z.number().int().min(0).max(72),
  note: z.string().optional(),
});
export type StoredPitr = z.output<typeof storedPitrSchema>;

/** Reads the window now and checks the moment; throws PitrRefusal (with its code) when it cannot be recovered. */
export async function choosePitr(databaseId: string, input: PitrInput): Promise<StoredPitr & { choice: PitrChoice }> {
  const archive = await walArchiveOf(databaseId);
  const window = await readRecoverableWindow(archive, { id: databaseId });
  const point =
    input.target.kind === "name"
      ? await db.restorePoint.findFirst({
          where: { databaseId, name: input.target.name },
          orderBy: { createdAt: "desc" },
          select: { lsn: true },
        })
      : null;
  const choice = choosePitrBaseBackup(window, input.target, {
    label: input.baseBackupLabel || undefined,
    restorePointLsn: point?.lsn ?? null,
    timeZone: input.timeZone,
  });
  const b = choice.baseBackup;
  return {
    stanza: archive.stanza,
    target: input.target,
    baseBackup: { label: b.label, type: b.type, stoppedAt: b.stoppedAt.toISOString() },
    window: {
      from: window.from?.toISOString() ?? null,
      newestRecoverable: window.newestRecoverable?.toISOString() ?? null,
    },
    keepHours: input.keepHours,
    note: choice.note,
    choice,
  };
}

export function pitrSourceOf(databaseId: string, stored: StoredPitr): PitrSource {
  return {
    databaseId,
    stanza: stored.stanza,
    target: stored.target,
    baseBackup: stored.baseBackup,
    window: stored.window,
    keepHours: stored.keepHours,
  };
}

/** The plan's common part of a point-in-time restore. */
export function pitrPlanCommon(
  databaseId: string,
  stored: StoredPitr,
  target: PlanTarget,
  now: Date,
  options: PlanCommon["options"],
): PlanCommon {
  const pitr = pitrSourceOf(databaseId, stored);
  return { target, backup: pitrBackupSource(pitr), now, options, pitr };
}

/**
 * On confirm and resume: until the recovery instance is up, the base backup the plan names must
 * still be in the archive and the moment still covered (a retention run may have expired it).
 */
export async function pitrExecutionProblem(
  runId: string,
  databaseId: string,
  stored: StoredPitr,
): Promise<string | null> {
  const started = await db.runStep.count({
    where: { runId, key: "restore-to-moment", status: "succeeded" satisfies StepStatus },
  });
  if (started > 0) return null;
  const { refusal } = await currentWindowProblem(pitrSourceOf(databaseId, stored));
  return refusal;
}

/** The stored point-in-time part of a run's options, or null for a restore from a dump. */
export function storedPitrOf(options: Record<string, unknown>): StoredPitr | null {
  if (options.pitr === undefined) return null;
  const r = storedPitrSchema.safeParse(options.pitr);
  if (!r.success)
    throw new UserError(
      "This run's stored point-in-time choice is damaged, so its plan cannot be rebuilt: start a new run.",
      409,
    );
  return r.data;
}
