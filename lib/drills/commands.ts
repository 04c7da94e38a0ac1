import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import {
  closeDrillSchema,
  drillIdSchema,
  scheduleDrillSchema,
  skipStepSchema,
  stepNotesSchema,
  stopwatchSchema,
} from "@/lib/drills/schemas";
import {
  closeDrill,
  saveStepNotes,
  scheduleDrill,
  skipStep,
  startDrill,
  stopwatch,
  toggleAction,
} from "@/lib/drills/mutations";

export const scheduleDrillCommand = defineCommand({
  name: "drills.schedule",
  transaction: true,
  role: "operator",
  input: scheduleDrillSchema,
  // The scheduler's role decides whether production may be allowed (admins only).
  handler: (input, user) => scheduleDrill(input, user),
  audit: {
    action: "drill.schedule",
    targetType: "drill",
    targetId: (_, r) => r.drillId,
    detail: (_, r) => ({ scenarioId: r.scenarioId, database: r.database }),
  },
});

export const startDrillCommand = defineCommand({
  name: "drills.start",
  transaction: true,
  role: "operator",
  input: drillIdSchema,
  handler: (input) => startDrill(input),
  audit: { action: "drill.start", targetType: "drill", targetId: (_, r) => r.drillId },
});

export const stopwatchCommand = defineCommand({
  name: "drills.stopwatch",
  transaction: true,
  role: "operator",
  input: stopwatchSchema,
  handler: (input) => stopwatch(input),
  audit: {
    action: (input) => `drill.step_${input.action}`,
    targetType: "drill",
    targetId: (_, r) => r.drillId,
    detail: (_, r) => ({ step: r.step }),
  },
});

export const saveStepNotesCommand = defineCommand({
  name: "drills.save-step-notes",
  transaction: true,
  role: "operator",
  input: stepNotesSchema,
  handler: (input) => saveStepNotes(input),
  audit: {
    action: "drill.step_notes",
    targetType: "drill",
    targetId: (_, r) => r.drillId,
    detail: (_, r) => ({ step: r.step }),
  },
});

export const closeDrillCommand = defineCommand({
  name: "drills.close",
  transaction: true,
  role: "operator",
  input: closeDrillSchema,
  handler: (input) => closeDrill(input),
  audit: {
    action: "drill.close",
    targetType: "drill",
    targetId: (_, r) => r.drillId,
    detail: (_, r) => ({
      outcome: r.outcome,
      totalMs: r.totalMs,
      rtoMinutes: r.rtoMinutes,
      unfinishedSteps: r.unfinished,
    }),
  },
});

export const toggleDrillActionCommand = defineCommand({
  name: "drills.toggle-action",
  transaction: true,
  role: "operator",
  input: z.object({ actionId: z.string().min(1) }),
  handler: (input) => toggleAction(input),
  audit: {
    action: "drill.action_toggle",
    targetType: "drill",
    targetId: (_, r) => r.drillId,
    detail: (_, r) => ({ text: r.text, done: r.done }),
  },
});

export const skipDrillStepCommand = defineCommand({
  name: "drills.skip-step",
  transaction: true,
  role: "operator",
  input: skipStepSchema,
  handler: (input, user) => skipStep(input, user),
  audit: {
    action: "drill.step_skip",
    targetType: "drill",
    targetId: (_, r) => r.drillId,
    detail: (_, r) => ({ step: r.step, reason: r.reason }),
  },
});
