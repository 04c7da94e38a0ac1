import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/session";
import { connectionOf } from "@/lib/databases/mutations";
import { headSourceOf } from "@/lib/postgres/head-query";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import type { BackupFormat } from "@/lib/backups/manifest";
import { readCheckedManifest, trustedManifest } from "@/lib/backups/manifest-trust";
import { buildPlan, type PlanCommon, type PlanTarget } from "@/lib/restores/plans";
import type { Environment } from "@/lib/databases/schemas";
import type { Plan, StepContext } from "@/lib/runner/types";
import { createRun, confirmAndStart, resumeRun } from "@/lib/runner/runs";
import type { RunForPlan } from "@/lib/runner/execute";
import { parseScenarioInput, requireScenario, scenarioIdSchema } from "@/lib/scenarios/registry";
import { linkRunToStep } from "@/lib/drills/mutations";
import { dropOldCopy } from "@/lib/restores/database-admin";
import { checkDeletionInputs, type RowSelection } from "@/lib/restores/copy-rows";
import { restoreLeftoversOf } from "@/lib/restores/leftovers-rule";
import { cleanUpAfterExecution } from "@/lib/restores/leftovers";
import { recordAudit } from "@/lib/audit/record";
import { bindingProblem, storedBinding } from "@/lib/restores/binding";
import { typedConfirmationOf } from "@/lib/restores/typed-confirmation";
import { restoreJobsFor } from "@/lib/restores/jobs";
import type { StepStatus } from "@/lib/runner/states";
import type { Database } from "@prisma/client";
import {
  choosePitr,
  pitrExecutionProblem,
  pitrInputSchema,
  pitrPlanCommon,
  storedPitrOf,
} from "@/lib/restores/pitr-prepare";
import { utcText } from "@/lib/restores/pitr-source";

// The wizard's writes: turn the operator's choices into a Plan (with a preflight run now, so
// the plan page shows its facts), persist it as a planned Run, and rebuild the same Plan
// whenever the runner needs its step functions (confirm, resume).

export const prepareRunSchema = z
  .object({
    scenarioId: scenarioIdSchema,
    databaseId: z.string().min(1, { message: "Choose the target database" }),
    /** Empty when restoring to a moment from the WAL archive (`pitr`). */
    backupId: z.string().max(200).default(""),
    /** Restore to a moment from the database's WAL archive instead of a dump. */
    pitr: pitrInputSchema.optional(),
    /**
     * The wizard's explicit "Backups of" another database (e.g. production's backup restored into
     * staging): without it the backup must be one of the target's own. Audited when used.
     */
    fromDatabaseId: z.string().min(1).optional(),
    /** The scenario's own fields as the wizard sends them; its inputSchema (lib/scenarios) checks them. */
    input: z.record(z.string().max(100), z.string().max(100_000)).default({}),
    /** Launched from a drill's step: the run's measured times become that step's time. */
    drillId: z.string().optional(),
    drillStep: z.number().int().min(0).optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.pitr && v.backupId === "") ctx.addIssue({ code: "custom", path: ["backupId"], message: "Choose a backup" });
  });

/** Scenario inputs kept on the Run, so the same Plan can be rebuilt (same `now`, same names). */
const storedOptionsSchema = z.looseObject({
  now: z.string(),
  fromDatabaseId: z.string().optional(),
  /** pg_restore --jobs fixed when the run was planned (runs planned before it was stored: 1). */
  jobs: z.number().int().min(1).max(16).optional(),
});
type StoredOptions = z.infer<typeof storedOptionsSchema>;

/** The stored options of a run: `now` plus the scenario's own input (parsed by the scenario when the plan is built). */
function storedOptions(value: unknown): StoredOptions {
  const r = storedOptionsSchema.safeParse(value);
  if (!r.success)
    throw new UserError("This run's stored options are damaged, so its plan cannot be rebuilt: start a new run.", 409);
  return r.data;
}

/**
 * The sha256 Lifeboat computed when it last verified this backup, while the catalog still
 * calls it verified (a sync that sees the object change resets that, so an older result never
 * vouches for new bytes); null otherwise.
 */
async function verifiedSha256(backup: { id: string; verificationState: string }): Promise<string | null> {
  if (backup.verificationState !== "verified") return null;
  const v = await db.verification.findFirst({
    where: { backupId: backup.id, status: "passed", sha256: { not: null } },
    orderBy: { startedAt: "desc" },
    select: { sha256: true },
  });
  return v?.sha256 ?? null;
}

async function planTargetOf(database: Database): Promise<PlanTarget> {
  return {
    name: database.name,
    environment: database.environment as Environment,
    conn: await connectionOf(database.id),
    migrationHead: headSourceOf(database),
    migrationUpgradeCommand: database.migrationUpgradeCommand,
    migrationDowngradeCommand: database.migrationDowngradeCommand,
  };
}

async function planCommonFor(databaseId: string, backupId: string, options: StoredOptions): Promise<PlanCommon> {
  const database = await db.database.findUnique({ where: { id: databaseId } });
  if (!database) throw new NotFoundError("The target database");
  const pitr = storedPitrOf(options);
  if (pitr)
    return pitrPlanCommon(database.id, pitr, await planTargetOf(database), new Date(options.now), {
      jobs: options.jobs ?? 1,
    });
  const backup = await db.backup.findUnique({ where: { id: backupId }, include: { location: true } });
  if (!backup) throw new NotFoundError("The backup");
  if (backup.vanishedAt)
    throw new UserError(
      "This backup is no longer in its location (it vanished at the last sync). Choose another one.",
      409,
    );
  // Checked when the plan is made and again whenever it is rebuilt (confirm, resume): the
  // catalog may have re-assigned the backup or a verification may have failed since.
  const source = options.fromDatabaseId ?? database.id;
  if (backup.databaseId !== source) {
    const owner = backup.databaseId
      ? await db.database.findUnique({ where: { id: backup.databaseId }, select: { name: true } })
      : null;
    throw new UserError(
      `${backup.key} is ${owner ? `a backup of ${owner.name}` : "not assigned to any database"}, not of ${
        options.fromDatabaseId
          ? ((await db.database.findUnique({ where: { id: source }, select: { name: true } }))?.name ??
            'the database chosen under "Backups of"')
          : database.name
      }. Nothing was restored: choose one of ${database.name}'s backups, or choose the other database under "Backups of" in the wizard to restore its backup on purpose.`,
      409,
    );
  }
  if (backup.verificationState === "failed")
    throw new UserError(
      `${backup.key} failed verification${backup.verificationSummary ? ` (${backup.verificationSummary})` : ""}, so Lifeboat does not restore it. Nothing was restored: choose another backup.`,
      409,
    );
  // An unsigned (or wrongly signed) manifest is for people to read, never for the restore to
  // trust: row counts, migration head and checksum then come from the backup itself.
  const checked = readCheckedManifest(backup.manifest);
  return {
    target: await planTargetOf(database),
    backup: {
      storage: createStorage(fullConfig(backup.location)),
      key: backup.key,
      size: Number(backup.size),
      format: backup.format as BackupFormat,
      manifest: trustedManifest(checked),
      untrustedManifestNote: checked && !checked.trust.trusted ? checked.trust.note : null,
      locationName: backup.location.name,
      // The plan is bound to these (lib/restores/binding.ts): execution and resume compare them.
      etag: backup.etag,
      sha256: await verifiedSha256(backup),
      verification: backup.lastVerifiedAt
        ? {
            ok: backup.verificationState === "verified",
            at: backup.lastVerifiedAt,
            summary: backup.verificationSummary ?? undefined,
          }
        : null,
    },
    now: new Date(options.now),
    // Fixed when the run was planned, so a resume on another machine rebuilds the same plan.
    options: { jobs: options.jobs ?? 1 },
  };
}

/** Rebuilds the confirmed plan with its step functions (the runner's resolvePlan). */
export async function resolvePlan(run: RunForPlan): Promise<Plan> {
  const options = storedOptions(run.options);
  const pitr = storedPitrOf(options);
  if (pitr) {
    // The plan's base backup must still be in the archive until the recovery instance is up.
    const problem = await pitrExecutionProblem(run.id, run.databaseId, pitr);
    if (problem) throw new UserError(problem, 409);
    return buildPlan(run.scenarioId, await planCommonFor(run.databaseId, "", options), options);
  }
  if (!run.backupId) throw new UserError("The run's backup was removed from the catalog; start a new run.", 409);
  // The scenario's inputSchema keeps its own fields and drops `now`.
  const plan = buildPlan(run.scenarioId, await planCommonFor(run.databaseId, run.backupId, options), options);
  // The backup object and the target must be the ones the operator confirmed (plans made
  // before plans were bound have no binding to compare).
  const confirmed = storedBinding(run.plan);
  if (confirmed) {
    const downloaded = await db.runStep.count({
      where: { runId: run.id, key: "download", status: "succeeded" satisfies StepStatus },
    });
    const now = storedBinding(plan);
    if (!now) throw new Error("a rebuilt restore plan has no binding");
    const problem = bindingProblem(confirmed, now, { downloaded: downloaded > 0 });
    if (problem) throw new UserError(problem, 409);
  }
  return plan;
}

/** Runs the plan's preflight step now, read-only, and returns what it logged. */
async function preflightFacts(plan: Plan): Promise<{ ok: boolean; lines: string[] }> {
  const step = plan.steps.find((s) => s.key === "preflight");
  if (!step?.run) return { ok: true, lines: [] };
  const lines: string[] = [];
  const ctx: StepContext = {
    runId: "preflight",
    stepIndex: 0,
    log: (t) => lines.push(t),
    progress: () => undefined,
    signal: new AbortController().signal,
    results: {},
    // Nothing is confirmed yet: the preflight only reads (no download alongside it).
    preview: true,
  };
  try {
    await step.run(ctx);
    return { ok: true, lines };
  } catch (e) {
    lines.push(
      e instanceof UserError
        ? `✗ ${e.message}`
        : "✗ The preflight failed unexpectedly; the details are in the server log.",
    );
    if (!(e instanceof UserError)) console.error("[lifeboat] preflight:", e);
    return { ok: false, lines };
  }
}

type DeletionInput = { table: string; idColumn: string; ids: RowSelection };

export async function prepareRun(
  input: z.output<typeof prepareRunSchema>,
  actor: SessionUser,
): Promise<{ runId: string }> {
  // Parsed once here and stored parsed, so a resumed run rebuilds the same plan.
  const own = parseScenarioInput(requireScenario(input.scenarioId), input.input);
  const crossDatabase = input.fromDatabaseId !== undefined && input.fromDatabaseId !== input.databaseId;
  const target = await db.database.findUnique({ where: { id: input.databaseId }, select: { restoreJobs: true } });
  const options: StoredOptions = {
    ...own,
    now: new Date().toISOString(),
    jobs: restoreJobsFor(target?.restoreJobs),
    ...(crossDatabase ? { fromDatabaseId: input.fromDatabaseId } : {}),
  };
  const checkedInputs: string[] = [];
  if (input.pitr) {
    if (!requireScenario(input.scenarioId).offersPitr)
      throw new UserError("This scenario has no point-in-time restore: choose a backup.");
    // The window is read now: a moment it does not cover is refused here, naming its end.
    const { choice, ...stored } = await choosePitr(input.databaseId, input.pitr);
    options.pitr = stored;
    checkedInputs.push(
      `pgBackRest will restore base backup ${choice.baseBackup.label} (${choice.baseBackup.type}, ended ${utcText(choice.baseBackup.stoppedAt)}): ${choice.note}`,
    );
  }
  const common = await planCommonFor(input.databaseId, input.backupId, options);
  if (input.scenarioId === "accidental-deletion") {
    // Checked now, before anything runs: the table and id column in the target, the ids against
    // the column's type, the table in the backup. The exact names found are what the run uses.
    const checked = await checkDeletionInputs(
      common.target.conn,
      common.pitr ? null : common.backup,
      own as DeletionInput,
      common.options,
    );
    Object.assign(own, { table: checked.table, idColumn: checked.idColumn, ids: checked.ids });
    Object.assign(options, own);
    checkedInputs.push(
      `${checked.table} has the id column ${checked.idColumn} (${checked.idType}); ${checked.archive}`,
    );
  }
  const plan = buildPlan(input.scenarioId, common, own);
  const preflight = await preflightFacts(plan);
  preflight.lines.unshift(...checkedInputs);
  plan.summary = { ...plan.summary, preflight };
  if (input.drillId) {
    const drill = await db.drill.findUnique({ where: { id: input.drillId } });
    if (!drill || drill.databaseId !== input.databaseId || drill.scenarioId !== input.scenarioId)
      throw new UserError("This restore does not match the drill it was launched from (scenario or database differ).");
  }
  const { runId } = await createRun({
    plan,
    scenarioId: input.scenarioId,
    databaseId: input.databaseId,
    backupId: input.pitr ? null : input.backupId,
    options,
    createdBy: actor,
  });
  if (crossDatabase)
    await recordAudit(actor, {
      action: "run.backup-of-another-database",
      targetType: "run",
      targetId: runId,
      detail: { databaseId: input.databaseId, fromDatabaseId: input.fromDatabaseId, backupId: input.backupId },
    });
  if (input.drillId) await linkRunToStep(input.drillId, input.drillStep ?? 0, runId);
  return { runId };
}

export async function confirmRun(input: { runId: string; typedName: string; planHash: string }, actor: SessionUser) {
  const run = await db.run.findUnique({
    where: { id: input.runId },
    include: { database: { select: { name: true, environment: true, dbName: true } } },
  });
  if (!run) throw new NotFoundError("The run");
  // The typed confirmation: the database's real name on its server; on production, the
  // Lifeboat name and the database name (lib/restores/typed-confirmation.ts).
  const { runId, done } = await confirmAndStart({
    runId: run.id,
    typedName: input.typedName,
    expectedName: typedConfirmationOf(run.database),
    planHash: input.planHash,
    actor,
    resolvePlan,
  });
  void cleanUpAfterExecution(runId, done);
  return { runId };
}

export async function resumeRestore(input: { runId: string }, actor: SessionUser) {
  const { runId, fromStep, done } = await resumeRun({ runId: input.runId, actor, resolvePlan });
  void cleanUpAfterExecution(runId, done);
  return { runId, fromStep };
}

/**
 * Drops the `<db>_before_<ts>` copy a succeeded restore kept, with its own typed confirmation
 * (the copy's exact name). Only that run's old copy can be named here.
 */
export async function dropRunOldCopy(
  input: { runId: string; typedName: string },
  /** A last check once the name is right and before anything is dropped (the two-person rule's approval). */
  guard?: () => Promise<void>,
) {
  const run = await db.run.findUnique({ where: { id: input.runId } });
  if (!run) throw new NotFoundError("The run");
  if (run.status !== "succeeded") throw new UserError("Only a restore that succeeded has an old copy to drop.", 409);
  const { oldCopy } = restoreLeftoversOf(run.plan);
  if (oldCopy === null) throw new UserError("This run kept no old copy.", 409);
  if (input.typedName.trim() !== oldCopy) {
    throw new UserError(
      `You typed "${input.typedName.trim()}"; to drop the old copy, type its exact name "${oldCopy}". Nothing was dropped.`,
    );
  }
  if (guard) await guard();
  const { dropped } = await dropOldCopy(await connectionOf(run.databaseId), oldCopy);
  return { runId: run.id, oldCopy, dropped };
}
