"use server";

import { z } from "zod";
import { revalidatePath } from "next/cache";
import { action } from "@/lib/actions/safe-action";
import { closeDrillSchema, drillIdSchema, scheduleDrillSchema, stepNotesSchema, stopwatchSchema } from "@/lib/drills/schemas";
import { closeDrill, saveStepNotes, scheduleDrill, startDrill, stopwatch, toggleAction } from "@/lib/drills/mutations";

export const scheduleDrillAction = action("operator", scheduleDrillSchema, async (input, actor) => {
  const r = await scheduleDrill(input, actor);
  revalidatePath("/drills");
  return r;
});
export const startDrillAction = action("operator", drillIdSchema, startDrill);
export const stopwatchAction = action("operator", stopwatchSchema, stopwatch);
export const saveStepNotesAction = action("operator", stepNotesSchema, async (input) => saveStepNotes(input));
export const closeDrillAction = action("operator", closeDrillSchema, closeDrill);
export const toggleDrillActionAction = action("operator", z.object({ actionId: z.string().min(1) }), toggleAction);
