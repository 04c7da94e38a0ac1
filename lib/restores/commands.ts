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
import { dropNeedsApprover, stepNeedsApprover } from "@/lib/restores/approval";

// The restore's writes. Operators run restores; the steps that change a production database
// for good (the confirmation before a switch-over or a copy-back, and dropping the copy a
// switch-over kept) need an approver, as the roles promise. Staging and test stay with operators.

const runId = z.string().min(1);

/** Refuses an operator's tick on a production run's confirmation step (manual steps stay theirs). */
async function confirmationOnProductionNeedsApprover(input: { runId: string; stepIndex: number }, user: SessionUser) {
  if (hasRole(user.role, "approver")) return;
  const step = await db.runStep.findUnique({
    where: { runId_index: { runId: input.runId, index: input.stepIndex } },
    select: { kind: true, key: true, run: { select: { database: { select: { environment: true } } } } },
  });
  // A missing step is the handler's to report (404), with the same words for every role.
  const refusal = step ? stepNeedsApprover(step, step.run.database.environment, user.role) : null;
  if (refusal) throw new AuthError(403, refusal);
}

async function dropOnProductionNeedsApprover(input: { runId: string }, user: SessionUser) {
  if (hasRole(user.role, "approver")) return;
  const run = await db.run.findUnique({
    where: { id: input.runId },
    select: { database: { select: { environment: true } } },
  });
  const refusal = run ? dropNeedsApprover(run.database.environment, user.role) : null;
  if (refusal) throw new AuthError(403, refusal);
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
  handler: (input, user) => completeManualStep({ ...input, actor: user }),
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
  handler: (input) => dropRunOldCopy(input),
  audit: {
    action: "run.drop_old_copy",
    targetType: "run",
    targetId: (_, r) => r.runId,
    detail: (_, r) => ({ oldCopy: r.oldCopy, dropped: r.dropped }),
  },
});
