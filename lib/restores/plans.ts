import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { UserError } from "@/lib/errors";
import { describeConnection, pgConnectionSchema } from "@/lib/postgres/connection";
import type { Plan, PlannedStep } from "@/lib/runner/types";
import { checkSelection, parseTableName, type RowSelection } from "./copy-rows";
import { DEFAULT_MAINTENANCE_DATABASE, serverConnection } from "./database-admin";
import { checkHealthUrls, displayUrl } from "./health";
import { oldCopyName, restoreTimestamp, scratchDatabaseName } from "./names";
import {
  confirmation,
  copyBackStep,
  createScratchStep,
  createTargetStep,
  downloadStep,
  dropScratchStep,
  healthCheckStep,
  manual,
  migrationHeadsStep,
  preflightStep,
  previewRowsStep,
  removeDownloadStep,
  restoreScratchStep,
  restoreTargetStep,
  safetyStep,
  switchOverStep,
  untouchedNote,
  verifyScratchStep,
  verifyStep,
  verifyTargetStep,
  type BackupSource,
  type RestoreContext,
  type RestoreOptions,
  type RestoreTarget,
} from "./steps";

// One plan builder per disaster scenario. Building a plan is pure (no database, no storage,
// no files): it names every step, its exact command and the databases it will create, so
// the operator can read and confirm it; only the steps' run() do the work. The same input
// (including `now`) always gives the same plan, so the runner can rebuild it to resume.

export type { BackupSource, RestoreOptions, RestoreTarget } from "./steps";
export type { RowSelection } from "./copy-rows";

/**
 * The version of each scenario's steps. Raise it when a scenario's steps change (keys,
 * order, kinds), together with the runbook in lib/scenarios/.
 */
export const SCENARIO_VERSIONS = {
  "database-corruption": 1,
  "accidental-deletion": 1,
  "failed-migration": 1,
  "infrastructure-loss": 1,
} as const;

export type RestoreScenarioId = keyof typeof SCENARIO_VERSIONS;

type Common = { target: RestoreTarget; backup: BackupSource; now: Date; options?: RestoreOptions };

export type PlanInput =
  | (Common & { scenarioId: "database-corruption" })
  | (Common & { scenarioId: "failed-migration" })
  | (Common & {
      scenarioId: "accidental-deletion";
      /** "schema.table" or "table". */
      table: string;
      idColumn: string;
      ids: RowSelection;
    })
  | (Common & {
      scenarioId: "infrastructure-loss";
      /** Health and readiness endpoints to GET after the restore (may be empty). */
      healthUrls: string[];
    });

const EXTENSIONS: Record<string, string> = { custom: ".dump", tar: ".tar", plain: ".sql", plain_gzip: ".sql.gz" };

function restoreContext(input: PlanInput): RestoreContext {
  const { target, backup } = input;
  const conn = pgConnectionSchema.parse(target.conn);
  if (backup.format === "unknown") {
    throw new UserError(`The format of ${backup.key} is unknown, so Lifeboat cannot tell how to restore it: set the backup's format (custom, tar, plain or plain_gzip).`);
  }
  const opts = input.options ?? {};
  const jobs = opts.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new UserError("jobs must be a whole number from 1 to 16");
  const ts = restoreTimestamp(input.now);
  const database = conn.database;
  const scratch = scratchDatabaseName(database, ts);
  const oldCopy = oldCopyName(database, ts);
  const maintenance = opts.maintenanceDatabase ?? DEFAULT_MAINTENANCE_DATABASE;
  if ([scratch, oldCopy].includes(maintenance) || maintenance === database) {
    throw new UserError(`The maintenance database (${maintenance}) must be another database than the one restored: set another one in the restore options.`);
  }
  // One private folder per plan: the same plan (resumed) finds its download again.
  const id = createHash("sha256")
    .update(JSON.stringify([input.scenarioId, conn.host, conn.port, database, backup.key, ts]))
    .digest("hex")
    .slice(0, 16);
  const workDir = path.join(opts.workDir ?? os.tmpdir(), `lifeboat-restore-${id}`);
  return {
    target: { ...target, conn },
    backup,
    bin: { binDir: opts.binDir },
    jobs,
    database,
    server: serverConnection(conn, maintenance),
    scratch,
    scratchConn: { ...conn, database: scratch },
    oldCopy,
    workDir,
    file: path.join(workDir, `backup${EXTENSIONS[backup.format] ?? ""}`),
  };
}

function summary(input: PlanInput, rc: RestoreContext, extra: Record<string, unknown>): Record<string, unknown> {
    // Where the clean-up finds the run's leftovers (lib/restores/leftovers-rule.ts reads these).
  const m = rc.backup.manifest;
    maintenanceDatabase: rc.server.database,
  return {
    scenario: input.scenarioId,
    target: {
      name: rc.target.name,
      environment: rc.target.environment,
      connection: describeConnection(rc.target.conn),
      database: rc.database,
    },
    backup: {
      key: rc.backup.key,
      location: rc.backup.locationName,
      size: rc.backup.size,
      format: rc.backup.format,
      hasManifest: m !== null,
      ...(m
        ? {
            sha256: m.sha256,
            createdAt: m.createdAt,
            sourceDatabase: m.database,
            serverVersion: m.serverVersion,
            pgDumpVersion: m.pgDumpVersion,
            migrationHead: m.migrationHead,
            tables: m.tables.length,
            rows: m.tables.reduce((n, t) => n + t.rows, 0),
          }
        : {}),
      verified: rc.backup.verification ? rc.backup.verification.ok : null,
    },
    workDir: rc.workDir,
    ...extra,
  };
}

/** Up to a verified scratch copy: shared by the safe restore and the deletion copy-back. */
function scratchCopySteps(rc: RestoreContext, note: string): PlannedStep[] {
  return [
    preflightStep(rc, "existing"),
    downloadStep(rc, note),
    verifyStep(rc, note),
    safetyStep(rc, note),
    createScratchStep(rc, note),
    restoreScratchStep(rc, note),
    verifyScratchStep(rc, note),
  ];
}

/** The safe restore: everything up to a verified scratch copy, then the switch-over. */
function safeRestoreSteps(rc: RestoreContext): PlannedStep[] {
  const note = untouchedNote(rc.target);
  const m = rc.backup.manifest;
  return [
    ...scratchCopySteps(rc, note),
    confirmation(
      "confirm-switch-over",
      `Confirm the switch-over of ${rc.database}`,
      `The scratch copy is restored and verified. From here ${rc.database} changes: its sessions are ended, it is renamed to ${rc.oldCopy} and the scratch copy takes its name. Stop the application first.`,
    ),
    switchOverStep(rc),
    verifyTargetStep(rc, `The restored copy is in place as ${rc.database}; the old one is kept as ${rc.oldCopy}.`, true),
    removeDownloadStep(rc),
    manual(
      "run-migrations",
      "Run the application's migrations",
      `${rc.database} is now at the backup's migration head (${m ? (m.migrationHead ?? "none recorded") : "unknown: the backup has no manifest"}); the head it had before is in the preflight's log. Bring it to the head the deployed release expects.`,
      ["alembic upgrade head"],
    ),
    manual("start-application", "Start the application", "Start the application servers and workers again, pointing at the same database name."),
    manual(
      "check-health",
      "Check health and readiness",
      `Check the application's health and readiness endpoints and a few key pages. The old copy ${rc.oldCopy} stays until it is dropped with its own confirmation.`,
      ["curl -fsS https://<app>/health", "curl -fsS https://<app>/ready"],
    ),
  ];
}

/**
 * The plan of one scenario run. Pure: it checks its input and names every step, but reads
 * or changes nothing until a step's run() is called. Throws UserError for input that cannot
 * make a plan (unknown backup format, a bad selection or URL).
 */
export function planFor(input: PlanInput): Plan {
  const rc = restoreContext(input);
  const base = { scenarioId: input.scenarioId, scenarioVersion: SCENARIO_VERSIONS[input.scenarioId] };
  const names = { scratchDatabase: rc.scratch, oldCopy: rc.oldCopy };
  switch (input.scenarioId) {
    case "database-corruption":
      return { ...base, steps: safeRestoreSteps(rc), summary: summary(input, rc, names) };

    case "failed-migration":
      return {
        ...base,
        steps: [
          migrationHeadsStep(rc),
          manual(
            "try-downgrade",
            "Try the migration tool's downgrade first",
            "If the migration tool can undo the failed revision, that is faster than a restore: then cancel this run. Otherwise tick this step to restore the pre-migration backup.",
            ["alembic downgrade -1"],
          ),
          ...safeRestoreSteps(rc),
        ],
        summary: summary(input, rc, names),
      };

    case "accidental-deletion": {
      const sel = checkSelection(input.ids);
      const table = input.table.trim();
      parseTableName(table);
      if (input.idColumn.trim() === "" || input.idColumn.includes("\u0000")) throw new UserError("Name the id column of the table.");
      const note = untouchedNote(rc.target);
      return {
        ...base,
        steps: [
          ...scratchCopySteps(rc, note),
          previewRowsStep(rc, table, input.idColumn, sel),
          confirmation(
            "confirm-copy-back",
            `Copy the previewed rows back into ${rc.database}`,
            `Check the preview: its count and ids are exactly the rows that will be inserted into ${table} (in one transaction, ON CONFLICT DO NOTHING). Production changes only after this.`,
          ),
          copyBackStep(rc, table, input.idColumn),
          dropScratchStep(rc),
          removeDownloadStep(rc),
        ],
        summary: summary(input, rc, { scratchDatabase: rc.scratch, table, idColumn: input.idColumn, ids: sel }),
      };
    }

    case "infrastructure-loss": {
      const urls = checkHealthUrls(input.healthUrls);
      const note = "Nothing was restored on the new server yet.";
      return {
        ...base,
        steps: [
          preflightStep(rc, "new-server"),
          downloadStep(rc, note),
          verifyStep(rc, note),
          safetyStep(rc, note),
          createTargetStep(rc),
          restoreTargetStep(rc),
          verifyTargetStep(rc, `The backup is restored into ${rc.database} but does not match it: check the log before deploying.`, false),
          removeDownloadStep(rc),
          manual("deploy-application", "Deploy the application", `Deploy the application to the new infrastructure with its configuration from git, pointing at ${describeConnection(rc.target.conn)}.`),
          manual(
            "run-migrations",
            "Run the application's migrations",
            `${rc.database} is at the backup's migration head (${rc.backup.manifest ? (rc.backup.manifest.migrationHead ?? "none recorded") : "unknown: no manifest"}): bring it to the head the deployed release expects.`,
            ["alembic upgrade head"],
          ),
          healthCheckStep(rc, urls),
          manual("switch-dns", "Switch DNS", "Point the application's DNS names at the new infrastructure (lower the TTL first when you can)."),
          manual("monitor", "Monitor for 24–48 hours", "Watch error rates, latency, disk and the backups on the new infrastructure for 24 to 48 hours."),
        ],
        summary: summary(input, rc, { healthUrls: urls.map(displayUrl) }),
      };
    }
  }
}
