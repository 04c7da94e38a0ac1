import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { hasRole } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { AuthError } from "@/lib/errors";
import { confirmRun, dropRunOldCopy, prepareRun, prepareRunSchema, resumeRestore } from "@/lib/restores/prepare";
import { cancelRestore, dropKeptScratch } from "@/lib/restores/leftovers";
import { completeManualStep } from "@/lib/runner/runs";
import { dropNeedsApprover, needsApprovalMessage, stepNeedsApproval, stepNeedsApprover } from "@/lib/restores/approval";
import { twoPersonEnvironments } from "@/lib/approvals/config";
import { recordApprovalUse, returnApproval, consumeApproval, type UsedApproval } from "@/lib/approvals/mutations";

// The restore's writes. Operators run restores; the steps that change a target database for good
// (the confirmation before a switch-over or a copy-back, and dropping the copy a switch-over kept)
// need, in an environment under the two-person rule (production by default), an approval from an
// approver who did not plan, confirm or request the run (lib/approvals), used inside the write.
// Where the rule is off, production still needs the approver role; staging and test stay with operators.

const runId = z.string().min(1);

/** Refuses an operator's tick on a production run's confirmation step (manual steps stay theirs). */
async function confirmationOnProductionNeedsApprover(input: { runId: string; stepIndex: number }, user: SessionUser) {
  if (hasRole(user.role, "approver")) return;
  const step = await db.runStep.findUnique({
    where: { runId_index: { runId: input.runId, index: input.stepIndex } },
    select: { kind: true, key: true, run: { select: { database: { select: { environment: true } } } } },
  });
  // A missing step is the handler's to report (404), with the same words for every role.
  const refusal = step
    ? stepNeedsApprover(step, step.run.database.environment, user.role, twoPersonEnvironments())
    : null;
  if (refusal) throw new AuthError(403, refusal);
}

async function dropOnProductionNeedsApprover(input: { runId: string }, user: SessionUser) {
  if (hasRole(user.role, "approver")) return;
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { database: { select: { environment: true } } },
  });
  const refusal = run ? dropNeedsApprover(run.database.environment, user.role, twoPersonEnvironments()) : null;
  if (refusal) throw new AuthError(403, refusal);
}

/** Ticks a step; a confirmation under the two-person rule uses its approval in the same transaction. */
async function completeRestoreStep(input: { runId: string; stepIndex: number; note?: string }, user: SessionUser) {
  const step = await db.runStep.findUnique({
    where: { runId_index: { runId: input.runId, index: input.stepIndex } },
    select: { kind: true, key: true, run: { select: { database: { select: { environment: true } } } } },
  });
  const environment = step?.run.database.environment ?? "";
  const action = step ? stepNeedsApproval(step, environment, twoPersonEnvironments()) : null;
  if (!action) return completeManualStep({ ...input, actor: user });
  const held: { used?: UsedApproval } = {};
  const done = await completeManualStep({
    ...input,
    actor: user,
    guard: async (tx) => {
      held.used = await consumeApproval(
        tx,
        { action, subjectId: input.runId, needsApprovalMessage: needsApprovalMessage(action, environment) },
        user,
      );
    },
  });
  if (held.used)
    await recordApprovalUse(held.used, { action, subjectId: input.runId, stepIndex: input.stepIndex }, user);
  return done;
}

/** Drops the kept copy; under the two-person rule only with an approval, given back if the drop fails. */
async function dropOldCopyWithApproval(input: { runId: string; typedName: string }, user: SessionUser) {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { database: { select: { environment: true } } },
  });
  const environment = run?.database.environment ?? "";
  if (!run || !twoPersonEnvironments().includes(environment)) return dropRunOldCopy(input);
  const held: { used?: UsedApproval } = {};
  try {
    const result = await dropRunOldCopy(input, async () => {
      held.used = await db.$transaction((tx) =>
        consumeApproval(
          tx,
          {
            action: "run.drop-old-copy",
            subjectId: input.runId,
            needsApprovalMessage: needsApprovalMessage("run.drop-old-copy", environment),
          },
          user,
        ),
      );
    });
    if (held.used)
      await recordApprovalUse(
        held.used,
        { action: "run.drop-old-copy", subjectId: input.runId, stepIndex: null },
        user,
      );
    return result;
  } catch (e) {
    // Nothing was dropped: the approval stays usable for the retry.
    if (held.used) await returnApproval(held.used.approvalId);
    throw e;
  }
}

export const prepareRunCommand = defineCommand({
  name: "restores.prepare",
  role: "operator",
  input: prepareRunSchema,
  handler: (input, user) => prepareRun(input, user),
  audit: { action: "run.plan", recordedBy: "runner" },
});

// Starting a run changes nothing on the target: it works on a scratch copy until the
// confirmation step, which is where production needs an approver.
export const confirmRunCommand = defineCommand({
  name: "restores.confirm-run",
  role: "operator",
  input: z.object({ runId, typedName: z.string().max(200), planHash: z.string().min(1) }),
  handler: (input, user) => confirmRun(input, user),
  audit: { action: "run.confirm", recordedBy: "runner" },
});

export const completeStepCommand = defineCommand({
  name: "restores.complete-step",
  role: "operator",
  input: z.object({ runId, stepIndex: z.number().int().min(0), note: z.string().max(2000).optional() }),
  authorize: confirmationOnProductionNeedsApprover,
  handler: (input, user) => completeRestoreStep(input, user),
  audit: { action: "run.step.complete", recordedBy: "runner" },
});

// Also "cancel and clean up" of a failed run: it gives up the resume, so its download and
// scratch database are removed (the scratch database stays when keepScratch is set).
export const cancelRunCommand = defineCommand({
  name: "restores.cancel",
  role: "operator",
  input: z.object({ runId, keepScratch: z.boolean().default(false) }),
  handler: (input, user) => cancelRestore(input, user),
  audit: { action: "run.cancel", recordedBy: "runner" },
});

/** Drops a scratch database an operator kept for inspection when cancelling (listed on the dashboard). */
export const dropKeptScratchCommand = defineCommand({
  name: "restores.drop-kept-scratch",
  role: "operator",
  input: z.object({ runId }),
  handler: (input) => dropKeptScratch(input),
  audit: {
    action: "run.drop_scratch",
    targetType: "run",
    targetId: (_, r) => r.runId,
    detail: (_, r) => ({ dropped: r.dropped }),
  },
});

export const resumeRunCommand = defineCommand({
  name: "restores.resume",
  role: "operator",
  input: z.object({ runId }),
  handler: (input, user) => resumeRestore(input, user),
  audit: { action: "run.resume", recordedBy: "runner" },
});

export const dropOldCopyCommand = defineCommand({
  name: "restores.drop-old-copy",
  role: "operator",
  input: z.object({ runId, typedName: z.string().max(200) }),
  authorize: dropOnProductionNeedsApprover,
  handler: (input, user) => dropOldCopyWithApproval(input, user),
  audit: {
    action: "run.drop_old_copy",
    targetType: "run",
    targetId: (_, r) => r.runId,
    detail: (_, r) => ({ oldCopy: r.oldCopy, dropped: r.dropped }),
  },
});
