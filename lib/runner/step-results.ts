import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { parseStoredJsonOrNull } from "@/lib/stored-json";

// Step results travel with the run view (polled every second while a run moves) only while
// they are small; a bigger one is read by itself when the page needs it. Server-side only and
// without authorization: callers check the role first.

/** Stored JSON up to this many characters is sent with every poll of the run. */
export const INLINE_RESULT_CHARS = 8 * 1024;

export function resultIsInline(stored: string | null): boolean {
  return stored === null || stored.length <= INLINE_RESULT_CHARS;
}

/** One step's whole result (null when it has none yet). */
export async function readStepResult(runId: string, index: number): Promise<{ key: string; result: unknown }> {
  const step = await db.runStep.findFirst({
    where: { runId, index },
    select: { key: true, index: true, result: true },
  });
  if (!step) throw new NotFoundError("The run step");
  return {
    key: step.key,
    result: parseStoredJsonOrNull(step.result, z.unknown(), `result of step ${step.index + 1} (RunStep.result)`),
  };
}
