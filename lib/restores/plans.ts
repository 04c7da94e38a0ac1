import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { UserError } from "@/lib/errors";
import type { Manifest } from "@/lib/backups/manifest";
import {
  DEFAULT_MIGRATION_DOWNGRADE_COMMAND,
  DEFAULT_MIGRATION_UPGRADE_COMMAND,
  ENVIRONMENTS,
  type Environment,
} from "@/lib/databases/schemas";
import { describeConnection, pgConnectionSchema, type PgConnection } from "@/lib/postgres/connection";
import { headSourceOf, type HeadColumns } from "@/lib/postgres/head-query";
import type { BackupStorage } from "@/lib/storage/provider";
import type { Plan } from "@/lib/runner/types";
import type { MigrationCommands } from "@/lib/scenarios/define";
import { parseScenarioInput, requireScenario, type ScenarioId, type ScenarioInput } from "@/lib/scenarios/registry";
import { DEFAULT_MAINTENANCE_DATABASE, serverConnection } from "./database-admin";
import { bindingOf } from "./binding";
import { automaticRestoreJobs, jobsForFormat, restoreJobsFor } from "./jobs";
import { oldCopyName, restoreTimestamp, scratchDatabaseName } from "./names";
import type { BackupSource, RestoreContext, RestoreOptions, RestoreTarget } from "./steps";
import { pitrBackupSource, pitrSummary, RUNBOOK_PITR, type PitrSource } from "./pitr-source";

// Builds the plan of a scenario run from the registry (lib/scenarios/registry.ts). Building a
// plan is pure (no database, no storage, no files): it names every step, its exact command
// and the databases it will create, so the operator can read and confirm it; only the steps'
// run() do the work. The same input (including `now`) always gives the same plan, so the
// runner can rebuild it to resume. `runbookPlan` builds the same steps with placeholders for
// the runbook page, its print view and drill checklists.

export type { BackupSource, RestoreOptions, RestoreTarget } from "./steps";
export type { RowSelection } from "./copy-rows";

/** The target as a plan needs it: connection, migration head query and the migration tool's commands. */
export type PlanTarget = RestoreTarget & {
  /** Shown at the manual "run migrations" step; never executed. Default: alembic upgrade head. */
  migrationUpgradeCommand?: string;
  /** Shown at the manual "try the downgrade" step; never executed. Default: alembic downgrade -1. */
  migrationDowngradeCommand?: string;
};

/** What every scenario's plan needs, whatever the scenario. */
export type PlanCommon = {
  target: PlanTarget;
  backup: BackupSource;
  now: Date;
  options?: RestoreOptions;
  /** A restore to a moment from the WAL archive (`backup` is then pitrBackupSource's). */
  pitr?: PitrSource;
};
type Common = PlanCommon;

/** One scenario run: the common part and the scenario's own input (its inputSchema's fields). */
export type PlanInput = { [K in ScenarioId]: Common & { scenarioId: K } & ScenarioInput<K> }[ScenarioId];

const EXTENSIONS: Record<string, string> = { custom: ".dump", tar: ".tar", plain: ".sql", plain_gzip: ".sql.gz" };

function migrationCommandsOf(
  target: Pick<PlanTarget, "migrationUpgradeCommand" | "migrationDowngradeCommand">,
): MigrationCommands {
  return {
    upgrade: target.migrationUpgradeCommand?.trim() || DEFAULT_MIGRATION_UPGRADE_COMMAND,
    downgrade: target.migrationDowngradeCommand?.trim() || DEFAULT_MIGRATION_DOWNGRADE_COMMAND,
  };
}

function restoreContext(input: Common & { scenarioId: string }): RestoreContext {
  const { target, backup } = input;
  const conn = pgConnectionSchema.parse(target.conn);
  if (backup.format === "unknown") {
    throw new UserError(
      `The format of ${backup.key} is unknown, so Lifeboat cannot tell how to restore it: set the backup's format (custom, tar, plain or plain_gzip).`,
    );
  }
  const opts = input.options ?? {};
  const asked = opts.jobs ?? automaticRestoreJobs();
  if (!Number.isInteger(asked) || asked < 1 || asked > 16)
    throw new UserError("jobs must be a whole number from 1 to 16");
  const jobs = jobsForFormat(backup.format, asked);
  const ts = restoreTimestamp(input.now);
  const database = conn.database;
  const scratch = scratchDatabaseName(database, ts);
  const oldCopy = oldCopyName(database, ts);
  const maintenance = opts.maintenanceDatabase ?? DEFAULT_MAINTENANCE_DATABASE;
  if ([scratch, oldCopy].includes(maintenance) || maintenance === database) {
    throw new UserError(
      `The maintenance database (${maintenance}) must be another database than the one restored: set another one in the restore options.`,
    );
  }
  // One private folder per plan: the same plan (resumed) finds its download again.
  const id = createHash("sha256")
    .update(JSON.stringify([input.scenarioId, conn.host, conn.port, database, backup.key, ts]))
    .digest("hex")
    .slice(0, 16);
  const workDir = path.join(opts.workDir ?? os.tmpdir(), `lifeboat-restore-${id}`);
  return {
    target: { name: target.name, environment: target.environment, conn, migrationHead: target.migrationHead },
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
    pauseAt: opts.pauseAt,
    ...(input.pitr ? { pitr: input.pitr } : {}),
  };
}

function summary(
  input: { scenarioId: string },
  rc: RestoreContext,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const m = rc.backup.manifest;
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
    // What the confirmed plan is bound to (lib/restores/binding.ts): execution and resume compare it.
    binding: bindingOf(rc),
    // The recovery instance takes the production user's name and password (the roles come back with the restore).
    ...(rc.pitr ? { pitr: { ...pitrSummary(rc.pitr), user: rc.target.conn.user } } : {}),
    // Where the clean-up finds the run's leftovers (lib/restores/leftovers-rule.ts reads these).
    workDir: rc.workDir,
    maintenanceDatabase: rc.server.database,
    ...extra,
  };
}

/**
 * The plan of one scenario run. Pure: it checks its input and names every step, but reads
 * or changes nothing until a step's run() is called. Throws UserError for input that cannot
 * make a plan (unknown scenario or backup format, a bad selection or URL).
 */
export function planFor(input: PlanInput): Plan {
  const { scenarioId, target, backup, now, options, pitr, ...own } = input;
  return buildPlan(scenarioId, { target, backup, now, options, pitr }, own);
}

/**
 * planFor for input that is not typed yet (a stored run, the wizard's fields): `own` is
 * checked by the scenario's inputSchema.
 */
export function buildPlan(scenarioId: string, common: PlanCommon, own: unknown): Plan {
  const scenario = requireScenario(scenarioId);
  if (common.pitr && !scenario.offersPitr)
    throw new UserError(`${scenario.meta.title} has no point-in-time restore: restore a backup instead.`);
  const rc = restoreContext({ ...common, scenarioId });
  const input = parseScenarioInput(scenario, own);
  const built = scenario.plan({ rc, input, migrations: migrationCommandsOf(common.target), preview: false });
  return {
    scenarioId: scenario.id,
    scenarioVersion: scenario.version,
    steps: built.steps,
    summary: summary({ scenarioId }, rc, built.summary ?? {}),
  };
}

// --- the runbook's plan: the same steps with placeholders ------------------------------------

/** A database as the runbook and drill checklist know it (no password: nothing connects). */
export type RunbookDatabase = Partial<HeadColumns> & {
  name: string;
  environment: string;
  host: string;
  port: number;
  user: string;
  dbName: string;
  migrationUpgradeCommand?: string;
  migrationDowngradeCommand?: string;
  /** pg_restore --jobs as set for the database; null or absent: automatic. */
  restoreJobs?: number | null;
};

function isEnvironment(e: string): e is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(e);
}

// Building a plan never touches the storage; a runbook's plan has none to touch.
const NO_STORAGE = new Proxy({} as BackupStorage, {
  get: (_t, prop) => {
    if (prop === "kind") return "local";
    if (prop === "description") return "<location>";
    if (prop === "then") return undefined;
    return () => {
      throw new Error("a runbook's plan has no backup to read");
    };
  },
});

const PLACEHOLDER_MANIFEST: Manifest = {
  lifeboat: 1,
  sha256: "<sha256>",
  size: 0,
  format: "custom",
  database: "<db>",
  serverVersion: "<version>",
  pgDumpVersion: "<version>",
  createdAt: "<time>",
  migrationHead: "<the backup's head>",
  critical: false,
  tables: [],
};

/**
 * The scenario's plan as the runbook, its print view and a drill checklist show it: the same
 * steps (keys, titles, kinds, order, commands) as a run, with `<db>`, `<db>_lifeboat_<ts>`,
 * `<db>_before_<ts>` and `<backup key>` where a run has real names. With a database, its
 * names and its migration commands are filled in. Its steps have no run().
 */
export function runbookPlan(
  scenarioId: string,
  database?: RunbookDatabase | null,
  /** The point-in-time restore's steps (scenarios that offer one) instead of a dump's. */
  opts: { pitr?: boolean } = {},
): Plan {
  const scenario = requireScenario(scenarioId);
  const pitr = opts.pitr && scenario.offersPitr ? RUNBOOK_PITR : undefined;
  const conn: PgConnection = database
    ? { host: database.host, port: database.port, user: database.user, database: database.dbName }
    : { host: "<host>", port: 5432, user: "<user>", database: "<db>" };
  const db = conn.database;
  const workDir = path.join(os.tmpdir(), "lifeboat-restore-<id>");
  const rc: RestoreContext = {
    target: {
      name: database?.name ?? "<database>",
      environment: database && isEnvironment(database.environment) ? database.environment : "production",
      conn,
      migrationHead: database ? headSourceOf(database) : undefined,
    },
    backup: pitr
      ? pitrBackupSource(pitr)
      : {
          storage: NO_STORAGE,
          key: "<backup key>",
          size: Number.NaN,
          format: "custom",
          manifest: PLACEHOLDER_MANIFEST,
          locationName: "<location>",
          verification: null,
        },
    bin: {},
    // What a run would use: the database's setting, else the console's cores (a custom archive).
    jobs: jobsForFormat("custom", restoreJobsFor(database?.restoreJobs)),
    database: db,
    server: serverConnection(conn),
    scratch: `${db}_lifeboat_<ts>`,
    scratchConn: { ...conn, database: `${db}_lifeboat_<ts>` },
    oldCopy: `${db}_before_<ts>`,
    workDir,
    file: path.join(workDir, "backup.dump"),
    ...(pitr ? { pitr } : {}),
  };
  const migrations = migrationCommandsOf(database ?? {});
  const built = scenario.plan({ rc, input: scenario.previewInput, migrations, preview: true });
  const steps = built.steps.map((s) => ({
    key: s.key,
    title: s.title,
    kind: s.kind,
    command: s.command,
    description: s.description,
  }));
  return { scenarioId: scenario.id, scenarioVersion: scenario.version, steps, summary: {} };
}
