import { createHash } from "node:crypto";
import { z } from "zod";
import { parseStoredJson } from "@/lib/stored-json";
import { stepKindSchema } from "@/lib/runner/states";
import type { Plan } from "@/lib/runner/types";

// The persisted form of a Plan (what the operator was shown and confirmed) and its hash.
// Pure: no database, usable by the wizard to show a plan before a Run exists.

export const storedStepSchema = z.object({
  key: z.string(),
  title: z.string(),
  kind: stepKindSchema,
  command: z.array(z.string()).nullable(),
  description: z.string(),
});
export const storedPlanSchema = z.object({
  scenarioId: z.string(),
  scenarioVersion: z.number().int(),
  steps: z.array(storedStepSchema),
  summary: z.record(z.string(), z.unknown()),
});
export type StoredStep = z.output<typeof storedStepSchema>;
export type StoredPlan = z.output<typeof storedPlanSchema>;

/** A step's command as stored on RunStep.command (JSON argv, secrets redacted). */
export const storedCommandSchema = z.array(z.string()).nullable();

/** JSON with object keys sorted at every level, so that equal plans hash equally whatever order a builder used. */
export function canonicalJson(value: unknown): string {
  const normalized: unknown = JSON.parse(JSON.stringify(value ?? null));
  return JSON.stringify(sortKeys(normalized));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) out[key] = sortKeys(source[key]);
    return out;
  }
  return value;
}

export function storedPlan(plan: Plan): StoredPlan {
  return {
    scenarioId: plan.scenarioId,
    scenarioVersion: plan.scenarioVersion,
    steps: plan.steps.map((s) => ({
      key: s.key,
      title: s.title,
      kind: s.kind,
      command: s.command ? [...s.command] : null,
      description: s.description,
    })),
    summary: plan.summary,
  };
}

/** The plan's JSON as stored on the Run, and its sha256 (hex): the typed confirmation is bound to it. */
export function serializePlan(plan: Plan): { json: string; hash: string } {
  const json = canonicalJson(storedPlan(plan));
  return { json, hash: createHash("sha256").update(json).digest("hex") };
}

/** Run.plan as written by serializePlan(); a malformed one is a StoredDataError naming the column. */
export function parseStoredPlan(json: string): StoredPlan {
  return parseStoredJson(json, storedPlanSchema, "run plan (Run.plan)");
}

/** Problems that make a plan impossible to run (a programming error in a plan builder, not a user's). */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  if (plan.steps.length === 0) problems.push("the plan has no steps");
  const keys = new Set<string>();
  plan.steps.forEach((s, i) => {
    const where = `step ${i + 1} (${s.key})`;
    if (!s.key) problems.push(`step ${i + 1} has no key`);
    if (keys.has(s.key)) problems.push(`${where}: the key is used twice`);
    keys.add(s.key);
    if (s.kind === "automatic" && !s.run) problems.push(`${where}: an automatic step needs run()`);
    if (s.kind !== "automatic" && s.run)
      problems.push(`${where}: a ${s.kind} step waits for an operator and cannot have run()`);
  });
  return problems;
}

/**
 * The first step where what is about to execute differs from what was confirmed (key, kind,
 * title or exact command), or null when the steps are the same. The summary may differ: it
 * holds preflight facts that change by themselves (who is connected, sizes).
 */
export function firstDifferentStep(confirmed: StoredPlan, resolved: Plan): { index: number; reason: string } | null {
  const now = storedPlan(resolved);
  const n = Math.max(confirmed.steps.length, now.steps.length);
  for (let i = 0; i < n; i++) {
    const a = confirmed.steps[i];
    const b = now.steps[i];
    if (!a || !b)
      return {
        index: i,
        reason: a
          ? `step ${i + 1} (${a.title}) is no longer in the plan`
          : `step ${i + 1} (${b?.title ?? "?"}) was added`,
      };
    if (a.key !== b.key || a.kind !== b.kind)
      return { index: i, reason: `step ${i + 1} is now "${b.title}" (${b.kind}) instead of "${a.title}" (${a.kind})` };
    if (canonicalJson(a.command) !== canonicalJson(b.command))
      return { index: i, reason: `the command of step ${i + 1} (${a.title}) changed` };
  }
  return null;
}
