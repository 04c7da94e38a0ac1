import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/session";
import { connectionOf } from "@/lib/databases/mutations";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { manifestSchema, type BackupFormat, type Manifest } from "@/lib/backups/manifest";
import { planFor, type PlanInput } from "@/lib/restores/plans";
import type { Environment } from "@/lib/databases/schemas";
import type { Plan, StepContext } from "@/lib/runner/types";
import { createRun, confirmAndStart, resumeRun } from "@/lib/runner/runs";
import type { RunForPlan } from "@/lib/runner/execute";
import { scenarioById } from "@/lib/scenarios/catalog";
import { linkRunToStep } from "@/lib/drills/mutations";
import { dropOldCopy } from "@/lib/restores/database-admin";
import { recordAudit } from "@/lib/audit/record";

// The wizard's writes: turn the operator's choices into a Plan (with a preflight run now, so
// the plan page shows its facts), persist it as a planned Run, and rebuild the same Plan
// whenever the runner needs its step functions (confirm, resume).

export const prepareRunSchema = z.object({
  scenarioId: z.enum(["database-corruption", "accidental-deletion", "failed-migration", "infrastructure-loss"], { message: "Choose a scenario" }),
  databaseId: z.string().min(1, { message: "Choose the target database" }),
  backupId: z.string().min(1, { message: "Choose a backup" }),
  table: z.string().trim().max(200).default(""),
  idColumn: z.string().trim().max(63).default("id"),
  ids: z.string().trim().max(100_000).default(""),
  healthUrls: z.string().trim().max(5_000).default(""),
  /** Launched from a drill's step: the run's measured times become that step's time. */
  drillId: z.string().optional(),
  drillStep: z.number().int().min(0).optional(),
});

/** Scenario inputs kept on the Run, so the same Plan can be rebuilt (same `now`, same names). */
type StoredOptions = { now: string; table?: string; idColumn?: string; ids?: { list?: (string | number)[]; from?: number; to?: number }; healthUrls?: string[] };

/** "1, 5, 9" → list; "100-250" → range. */
export function parseIds(text: string): { list?: (string | number)[]; from?: number; to?: number } {
  const range = /^\s*(-?\d+)\s*(?:-|\.\.|to)\s*(-?\d+)\s*$/.exec(text);
  if (range) return { from: Number(range[1]), to: Number(range[2]) };
  const list = text.split(/[\s,;]+/).filter(Boolean).map((x) => (/^-?\d+$/.test(x) ? Number(x) : x));
  if (list.length === 0) throw new UserError("Name the deleted rows' ids: a list such as 1, 5, 9 or a range such as 100-250.");
  return { list };
}

async function planInputFor(scenarioId: string, databaseId: string, backupId: string, options: StoredOptions): Promise<PlanInput> {
  const database = await db.database.findUnique({ where: { id: databaseId } });
  if (!database) throw new NotFoundError("The target database");
  const backup = await db.backup.findUnique({ where: { id: backupId }, include: { location: true } });
  if (!backup) throw new NotFoundError("The backup");
  if (backup.vanishedAt) throw new UserError("This backup is no longer in its location (it vanished at the last sync). Choose another one.", 409);
  let manifest: Manifest | null = null;
  if (backup.manifest) {
    const parsed = manifestSchema.safeParse(JSON.parse(backup.manifest));
    manifest = parsed.success ? parsed.data : null;
  }
  const common = {
    target: {
      name: database.name,
      environment: database.environment as Environment,
      conn: await connectionOf(database.id),
      migrationHeadQuery: database.migrationHeadQuery,
    },
    backup: {
      storage: createStorage(fullConfig(backup.location)),
      key: backup.key,
      size: Number(backup.size),
      format: backup.format as BackupFormat,
      manifest,
      locationName: backup.location.name,
      verification: backup.lastVerifiedAt ? { ok: backup.verificationState === "verified", at: backup.lastVerifiedAt, summary: backup.verificationSummary ?? undefined } : null,
    },
    now: new Date(options.now),
  };
  switch (scenarioId) {
    case "database-corruption":
    case "failed-migration":
      return { ...common, scenarioId };
    case "accidental-deletion":
      if (!options.table) throw new UserError("Name the table the rows were deleted from, e.g. public.transactions.");
      return { ...common, scenarioId, table: options.table, idColumn: options.idColumn || "id", ids: options.ids ?? {} };
    case "infrastructure-loss":
      return { ...common, scenarioId, healthUrls: options.healthUrls ?? [] };
    default:
      throw new UserError(`Unknown scenario ${scenarioId}.`);
  }
}

/** Rebuilds the confirmed plan with its step functions (the runner's resolvePlan). */
export async function resolvePlan(run: RunForPlan): Promise<Plan> {
  if (!run.backupId) throw new UserError("The run's backup was removed from the catalog; start a new run.", 409);
  return planFor(await planInputFor(run.scenarioId, run.databaseId, run.backupId, run.options as StoredOptions));
}

/** Runs the plan's preflight step now, read-only, and returns what it logged. */
async function preflightFacts(plan: Plan): Promise<{ ok: boolean; lines: string[] }> {
  const step = plan.steps.find((s) => s.key === "preflight");
  if (!step?.run) return { ok: true, lines: [] };
  const lines: string[] = [];
  const ctx: StepContext = { runId: "preflight", stepIndex: 0, log: (t) => lines.push(t), progress: () => undefined, signal: new AbortController().signal, results: {} };
  try {
    await step.run(ctx);
    return { ok: true, lines };
  } catch (e) {
    lines.push(e instanceof UserError ? `✗ ${e.message}` : "✗ The preflight failed unexpectedly; the details are in the server log.");
    if (!(e instanceof UserError)) console.error("[lifeboat] preflight:", e);
    return { ok: false, lines };
  }
}

export async function prepareRun(input: z.output<typeof prepareRunSchema>, actor: SessionUser): Promise<{ runId: string }> {
  if (!scenarioById(input.scenarioId)) throw new UserError("Unknown scenario.");
  const options: StoredOptions = { now: new Date().toISOString() };
  if (input.scenarioId === "accidental-deletion") Object.assign(options, { table: input.table, idColumn: input.idColumn || "id", ids: parseIds(input.ids) });
  if (input.scenarioId === "infrastructure-loss") {
    const urls = input.healthUrls.split(/\s+/).filter(Boolean);
    for (const u of urls) if (!/^https?:\/\//.test(u)) throw new UserError(`"${u}" is not an http(s) URL.`);
    options.healthUrls = urls;
  }
  const plan = planFor(await planInputFor(input.scenarioId, input.databaseId, input.backupId, options));
  const preflight = await preflightFacts(plan);
  plan.summary = { ...plan.summary, preflight };
  if (input.drillId) {
    const drill = await db.drill.findUnique({ where: { id: input.drillId } });
    if (!drill || drill.databaseId !== input.databaseId || drill.scenarioId !== input.scenarioId) throw new UserError("This restore does not match the drill it was launched from (scenario or database differ).");
  }
  const { runId } = await createRun({ plan, scenarioId: input.scenarioId, databaseId: input.databaseId, backupId: input.backupId, options, createdBy: actor });
  if (input.drillId) await linkRunToStep(input.drillId, input.drillStep ?? 0, runId);
  return { runId };
}

export async function confirmRun(input: { runId: string; typedName: string; planHash: string }, actor: SessionUser) {
  const run = await db.run.findUnique({ where: { id: input.runId }, include: { database: { select: { dbName: true } } } });
  if (!run) throw new NotFoundError("The run");
  // The typed confirmation is the target database's real name on its server.
  const { runId } = await confirmAndStart({ runId: run.id, typedName: input.typedName, expectedName: run.database.dbName, planHash: input.planHash, actor, resolvePlan });
  return { runId };
}

export async function resumeRestore(input: { runId: string }, actor: SessionUser) {
  const { runId, fromStep } = await resumeRun({ runId: input.runId, actor, resolvePlan });
  return { runId, fromStep };
}

/**
 * Drops the `<db>_before_<ts>` copy a succeeded restore kept, with its own typed confirmation
 * (the copy's exact name). Only that run's old copy can be named here.
 */
export async function dropRunOldCopy(input: { runId: string; typedName: string }) {
  const run = await db.run.findUnique({ where: { id: input.runId } });
  if (!run) throw new NotFoundError("The run");
  if (run.status !== "succeeded") throw new UserError("Only a restore that succeeded has an old copy to drop.", 409);
  const oldCopy = (JSON.parse(run.plan) as { summary?: { oldCopy?: unknown } }).summary?.oldCopy;
  if (typeof oldCopy !== "string") throw new UserError("This run kept no old copy.", 409);
  if (input.typedName.trim() !== oldCopy) {
    throw new UserError(`You typed "${input.typedName.trim()}"; to drop the old copy, type its exact name "${oldCopy}". Nothing was dropped.`);
  }
  const { dropped } = await dropOldCopy(await connectionOf(run.databaseId), oldCopy);
  return { runId: run.id, oldCopy, dropped };
}
