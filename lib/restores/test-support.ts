import type { Plan, StepContext } from "@/lib/runner/types";
import type { PgConnection } from "@/lib/postgres/connection";
import { runPsqlQuery, tableRowCounts } from "@/lib/postgres/run";
import { testConnection } from "@/lib/postgres/test-support";
import { textLiteral } from "./database-admin";

// For integration tests and the benchmark only: a small executor that runs a plan's
// automatic steps in order the way the runner does (results JSON round-tripped, later steps
// see earlier results), ticking manual and confirmation steps.

export type ExecutedStep = { key: string; kind: string; ms: number; result: unknown };

export type Execution = {
  steps: ExecutedStep[];
  results: Record<string, unknown>;
  logs: string[];
  /** The step that failed, and its error; null when every step ran. */
  failed: { key: string; error: Error } | null;
};

export async function executePlan(
  plan: Plan,
  opts: {
    /** Run only these steps. */
    only?: (key: string) => boolean;
    /** Start at this step (earlier ones are taken as done: pass their `results`). */
    from?: string;
    /** Stop before this step. */
    until?: string;
    results?: Record<string, unknown>;
    /** The run's id as steps see it (a point-in-time restore names its recovery instance's run). */
    runId?: string;
  } = {},
): Promise<Execution> {
  const results: Record<string, unknown> = { ...(opts.results ?? {}) };
  const logs: string[] = [];
  const steps: ExecutedStep[] = [];
  const controller = new AbortController();
  let started = opts.from === undefined;
  for (const [index, step] of plan.steps.entries()) {
    if (opts.until === step.key) break;
    if (opts.from === step.key) started = true;
    if (!started) continue;
    if (opts.only && !opts.only(step.key)) continue;
    if (step.kind !== "automatic" || !step.run) {
      results[step.key] = { note: "ticked by the test", completedBy: "test" };
      continue;
    }
    const ctx: StepContext = {
      runId: opts.runId ?? "test",
      stepIndex: index,
      log: (text, stream) => logs.push(`[${step.key}${stream && stream !== "info" ? ` ${stream}` : ""}] ${text}`),
      progress: () => {},
      signal: controller.signal,
      results: { ...results },
    };
    const t0 = performance.now();
    try {
      const value = await step.run(ctx);
      // As the runner stores it: through JSON.
      const stored: unknown = JSON.parse(JSON.stringify(value ?? null));
      results[step.key] = stored;
      steps.push({ key: step.key, kind: step.kind, ms: Math.round(performance.now() - t0), result: results[step.key] });
    } catch (e) {
      // As the runner does when a run ends: work started ahead for a later step stops.
      controller.abort();
      return { steps, results, logs, failed: { key: step.key, error: e instanceof Error ? e : new Error(String(e)) } };
    }
  }
  controller.abort();
  return { steps, results, logs, failed: null };
}

/** Row counts keyed "schema.table". */
export async function countsOf(conn: PgConnection): Promise<Record<string, number>> {
  return Object.fromEntries((await tableRowCounts(conn)).map((t) => [`${t.schema}.${t.name}`, t.rows]));
}

/** Databases on the test server whose name starts with `prefix`. */
export async function databasesStartingWith(prefix: string): Promise<string[]> {
  const rows = await runPsqlQuery(
    testConnection(),
    `SELECT datname FROM pg_database WHERE left(datname, length(${textLiteral(prefix)})) = ${textLiteral(prefix)} ORDER BY 1`,
  );
  return rows.map((r) => r[0] ?? "");
}
