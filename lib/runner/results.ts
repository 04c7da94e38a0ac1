import type { z } from "zod";
import { UserError } from "@/lib/errors";
import type { StepContext } from "@/lib/runner/types";

// A step's result, declared by the step that returns it: later steps read it through the
// same schema (`previewResult.of(ctx)`), so producer and consumers cannot drift apart. The
// runner stores results as JSON on RunStep.result and hands them to later steps as they were.

export type StepResult<S extends z.ZodType> = {
  key: string;
  schema: S;
  /** The result of the earlier step `key`; a UserError when that step has not run or returned something else. */
  of: (ctx: Pick<StepContext, "results">) => z.output<S>;
  /** The same, or null when that step has not run (or was not part of this plan). */
  find: (ctx: Pick<StepContext, "results">) => z.output<S> | null;
};

export function stepResult<S extends z.ZodType>(key: string, schema: S): StepResult<S> {
  const find = (ctx: Pick<StepContext, "results">): z.output<S> | null => {
    if (!(key in ctx.results)) return null;
    const parsed = schema.safeParse(ctx.results[key]);
    if (!parsed.success) {
      throw new UserError(
        `the stored result of the step "${key}" is not what that step returns (${parsed.error.issues[0]?.message ?? "invalid"}): run that step again`,
        409,
      );
    }
    return parsed.data;
  };
  return {
    key,
    schema,
    find,
    of: (ctx) => {
      const value = find(ctx);
      if (value === null) throw new UserError(`the result of the step "${key}" is missing: run that step again`, 409);
      return value;
    },
  };
}
