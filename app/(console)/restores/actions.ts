"use server";

import { z } from "zod";
import { action } from "@/lib/actions/safe-action";
import { confirmRun, dropRunOldCopy, prepareRun, prepareRunSchema, resumeRestore } from "@/lib/restores/prepare";
import { cancelRun, completeManualStep } from "@/lib/runner/runs";

export const prepareRunAction = action("operator", prepareRunSchema, prepareRun);

export const confirmRunAction = action(
  "operator",
  z.object({ runId: z.string().min(1), typedName: z.string().max(200), planHash: z.string().min(1) }),
  confirmRun,
);

export const completeStepAction = action(
  "operator",
  z.object({ runId: z.string().min(1), stepIndex: z.number().int().min(0), note: z.string().max(2000).optional() }),
  async (input, actor) => completeManualStep({ ...input, actor }),
);

export const cancelRunAction = action("operator", z.object({ runId: z.string().min(1) }), async (input, actor) => cancelRun({ ...input, actor }));

export const resumeRunAction = action("operator", z.object({ runId: z.string().min(1) }), resumeRestore);

export const dropOldCopyAction = action("operator", z.object({ runId: z.string().min(1), typedName: z.string().max(200) }), dropRunOldCopy);
