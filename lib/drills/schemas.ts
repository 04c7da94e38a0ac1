import { z } from "zod";
import { scenarioIdSchema } from "@/lib/scenarios/registry";

export const scheduleDrillSchema = z.object({
  scenarioId: scenarioIdSchema,
  databaseId: z.string().min(1, { message: "Choose the database the drill uses (staging or test)" }),
  scheduledAt: z
    .string()
    .min(1, { message: "Choose the date and time (UTC)" })
    .refine((v) => !Number.isNaN(Date.parse(v.endsWith("Z") ? v : `${v}Z`)), {
      message: "Enter a valid date and time",
    }),
  participants: z.array(z.email()).default([]),
  notes: z.string().max(5000).default(""),
  allowProduction: z.boolean().default(false),
});

export const stopwatchSchema = z.object({
  stepId: z.string().min(1),
  action: z.enum(["start", "pause", "resume", "finish"]),
});
export const skipStepSchema = z.object({
  stepId: z.string().min(1),
  reason: z.string().trim().min(1, { message: "Say why the step is skipped" }).max(2000),
});
export const stepNotesSchema = z.object({
  stepId: z.string().min(1),
  notes: z.string().max(5000).default(""),
  issues: z.string().max(5000).default(""),
});
export const drillIdSchema = z.object({ drillId: z.string().min(1) });
export const closeDrillSchema = z.object({
  drillId: z.string().min(1),
  issues: z.string().max(10_000).default(""),
  actions: z
    .array(
      z.object({
        text: z.string().trim().min(1, { message: "Describe the improvement" }).max(1000),
        owner: z.string().trim().min(1, { message: "Name an owner" }).max(200),
        dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Choose a due date" }),
      }),
    )
    .default([]),
});
