import { createReadStream } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { previewResultSchema } from "@/lib/restores/preview-result";
import { keepPreviewIds, previewIdsOf } from "@/lib/restores/preview-ids";
import { verifyBackup } from "@/lib/backups/verify";
import { aclFactsSchema, type AclFacts } from "./acl-facts";
import { restoreRoleFactsQuery, restoreRoleWarning } from "./restore-role";
import {
  archiveScriptArgv,
  checkReads,
  checkRoles,
  checkRolesQuery,
  type RoleCheck,
  roleProblemMessage,
  inspectArchive,
  requireRestorableRoles,
  unsafeArchiveMessage,
} from "./archive-inspect";
import type { BackupFormat, Manifest } from "@/lib/backups/manifest";
import { UserError } from "@/lib/errors";
import { DEFAULT_HEAD_SOURCE, describeHeadSource, headQuerySql, type HeadSource } from "@/lib/postgres/head-query";
import { formatArgv, psqlArgs, psqlHelpCommandsArgs, type Argv, type BinOptions } from "@/lib/postgres/commands";
import {
  clientSupportsRequireAuth,
  describeConnection,
  describeServer,
  maskSecret,
  type PgConnection,
} from "@/lib/postgres/connection";
import { isPgError, PgCommandError } from "@/lib/postgres/errors";
import {
  headMissing,
  fitsOneArgument,
  migrationHead,
  migrationHeadQuery,
  psqlRestrictSupport,
  runPsqlQueries,
  runPsqlQuery,
  serverVersionQuery,
  type PsqlQuery,
  tableRowCounts,
  toolVersion,
  type TableRowCount,
} from "@/lib/postgres/run";
import type { BackupStorage } from "@/lib/storage/provider";
import { stepResult } from "@/lib/runner/results";
import type { PlannedStep, StepContext } from "@/lib/runner/types";
import {
  copyBackSql,
  copyRowsBack,
  describeSelection,
  parseTableName,
  previewRows,
  type RowSelection,
} from "./copy-rows";
import {
  createDatabaseSql,
  createScratchDatabase,
  databaseExists,
  describeSession,
  describeSwitchOverState,
  dropDatabaseSql,
  dropScratchDatabase,
  renameSql,
  sessionsQuery,
  switchOver,
  switchOverState,
  terminateAllSql,
  userTableCount,
  type PauseAt,
} from "./database-admin";
import { databasePropertiesQuery, databasePropertyStatements } from "./database-properties";
import { bytesText, freeBytes, prepareWorkDir, removeWorkDir, scanPlainDump } from "./files";
import { downloadOnePass, fileIdentity, fileIdentitySchema, inspectionOf, sameFile } from "./one-pass";
import { startAhead, takeAhead } from "./ahead";
import { checkUrl, displayUrl } from "./health";
import { archiveRestoreArgv, plainRestoreArgv, restoreArchive, restorePlain } from "./restore-tools";
import { UnsafeSqlError } from "./sql-safety";
import { backupChangedMessage, backupDifferences, bindingOf } from "./binding";
import type { PitrSource } from "./pitr-source";

// The steps of the restore scenarios. Every automatic step is safe to run again after an
// interruption: it looks at what is there (a leftover scratch database, a half-done switch-
// over, a partly restored target) and does only what is left. Steps before the one that
// changes the target add to any failure that the target was not touched.

export type Environment = "production" | "staging" | "test";

export type RestoreTarget = {
  /** Lifeboat's name for the database (for people). */
  name: string;
  environment: Environment;
  conn: PgConnection;
  /** Where the application's migration head is read; default: alembic_version. */
  migrationHead?: HeadSource;
};

export type BackupVerification = { ok: boolean; at: string | Date; summary?: string };

export type BackupSource = {
  storage: BackupStorage;
  key: string;
  /** The size the location lists. */
  size: number;
  format: BackupFormat;
  /** The manifest only when this console signed it: an unsigned one never decides anything. */
  manifest: Manifest | null;
  /** Why a manifest beside the backup is not used (unsigned, or its signature does not hold). */
  untrustedManifestNote?: string | null;
  locationName: string;
  /** The catalog's last verification of this backup, when there was one. */
  verification?: BackupVerification | null;
  /** The object's etag as the catalog knows it (the plan is bound to it). */
  etag?: string | null;
  /** The sha256 Lifeboat computed when it last verified these bytes (the plan is bound to it; else the manifest's). */
  sha256?: string | null;
};

export type RestoreOptions = BinOptions & {
  /** Where the backup is downloaded (a private folder per plan is made inside); default: the OS temp dir. */
  workDir?: string;
  /** pg_restore --jobs for the scratch restore of a custom/tar archive (1: one connection, as bare pg_restore). */
  jobs?: number;
  /** Database used for CREATE/ALTER/DROP DATABASE on the target's server; default postgres. */
  maintenanceDatabase?: string;
  /** Kill tests only: awaited at each point of the switch-over (the test SIGKILLs the console there). */
  pauseAt?: PauseAt;
};

/** Everything the steps of one plan share, fixed when the plan is built. */
export type RestoreContext = {
  target: RestoreTarget;
  backup: BackupSource;
  bin: BinOptions;
  jobs: number;
  /** The target's database name. */
  database: string;
  server: PgConnection;
  scratch: string;
  scratchConn: PgConnection;
  oldCopy: string;
  workDir: string;
  file: string;
  /** Kill tests only (RestoreOptions.pauseAt). */
  pauseAt?: PauseAt;
  /**
   * Set when the run restores to a moment from the WAL archive instead of a dump
   * (lib/restores/pitr-steps.ts): `backup` then describes the recovered database.
   */
  pitr?: PitrSource;
};

const MIB = 1024 * 1024;

// --- helpers ---------------------------------------------------------------------------------

/** Without a trailing period (the note follows). Not capitalized: it may start with a name. */
function sentence(text: string): string {
  return text.trim().replace(/[.\s]+$/, "");
}

/** "Production was not touched: amani is as it was." (or the staging/test equivalent). */
export function untouchedNote(target: RestoreTarget): string {
  return target.environment === "production"
    ? `Production was not touched: ${target.conn.database} is as it was.`
    : `The ${target.environment} database ${target.conn.database} was not touched.`;
}

/** Any failure as a UserError whose message says what happened (and, when given, what it did not touch). */
function explained(e: unknown, conn: PgConnection, note: string | null): unknown {
  if (e instanceof Error && e.name === "AbortError") return e;
  const status = e instanceof UserError ? e.status : 500;
  const raw = e instanceof Error ? e.message : String(e);
  const msg = sentence(maskSecret(raw, conn));
  return new UserError(note ? `${msg}. ${note}` : `${msg}.`, status);
}

type Note = string | null | ((ctx: StepContext) => Promise<string | null>);

export function automatic(
  rc: RestoreContext,
  step: { key: string; title: string; description: string; command?: Argv | null },
  note: Note,
  run: (ctx: StepContext) => Promise<unknown>,
): PlannedStep {
  return {
    key: step.key,
    title: step.title,
    kind: "automatic",
    command: step.command ? [...step.command] : null,
    description: step.description,
    run: async (ctx) => {
      try {
        return await run(ctx);
      } catch (e) {
        const n = typeof note === "function" ? await note(ctx).catch(() => null) : note;
        throw explained(e, rc.target.conn, n);
      }
    },
  };
}

export function manual(key: string, title: string, description: string, command: string[] | null = null): PlannedStep {
  return { key, title, kind: "manual", command, description };
}

export function confirmation(key: string, title: string, description: string): PlannedStep {
  return { key, title, kind: "confirmation", command: null, description };
}

/** Started now, awaited later: a rejection not awaited yet (an earlier read failed first) is not an unhandled one. */
function early<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function major(version: string): number | null {
  const m = /^(\d+)/.exec(version);
  return m?.[1] ? Number(m[1]) : null;
}

function isArchive(format: BackupFormat): format is "custom" | "tar" {
  return format === "custom" || format === "tar";
}

const tableKey = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** Differences between restored row counts and the expected ones, in words. */
export function countProblems(actual: TableRowCount[], expected: TableRowCount[]): string[] {
  const got = new Map(actual.map((t) => [tableKey(t), t.rows]));
  const want = new Map(expected.map((t) => [tableKey(t), t.rows]));
  const problems: string[] = [];
  for (const [k, rows] of want) {
    const have = got.get(k);
    if (have === undefined) problems.push(`${k} is missing (the backup has ${rows.toLocaleString("en-US")} rows)`);
    else if (have !== rows)
      problems.push(`${k} has ${have.toLocaleString("en-US")} rows, the backup ${rows.toLocaleString("en-US")}`);
  }
  for (const [k, rows] of got)
    if (!want.has(k)) problems.push(`${k} (${rows.toLocaleString("en-US")} rows) is not in the backup`);
  return problems;
}

const countsSchema = z.array(z.object({ schema: z.string(), name: z.string(), rows: z.number() }));

// The results later steps read, declared by the steps that return them (lib/runner/results.ts).
/** dump-recovered (point-in-time recovery): the recovered database's row counts, which the scratch copy must match. */
export const recoveredCountsResult = stepResult("dump-recovered", z.object({ tables: countsSchema }));
/** verify-scratch: the scratch copy's row counts. */
export const verifyScratchResult = stepResult("verify-scratch", z.object({ tables: countsSchema }));
/** sql-safety: how a plain dump may run (archives: "archive"). */
export const safetyResult = stepResult(
  "sql-safety",
  z.object({ mode: z.enum(["archive", "restricted", "trusted-manifest"]), acl: aclFactsSchema.optional() }),
);

/** The counts the restored database must have: the manifest's, else what the scratch copy had. */
function expectedCounts(rc: RestoreContext, ctx: StepContext): { tables: TableRowCount[]; source: string } | null {
  if (rc.backup.manifest) return { tables: rc.backup.manifest.tables, source: "the backup's manifest" };
  const scratch = verifyScratchResult.find(ctx);
  return scratch ? { tables: scratch.tables, source: "the verified scratch copy" } : null;
}

function totalRows(tables: TableRowCount[]): number {
  return tables.reduce((n, t) => n + t.rows, 0);
}

// --- steps -------------------------------------------------------------------------------------

/** Facts before anything changes: reachable, versions, sessions, size, free disk, verification. */
export function preflightStep(rc: RestoreContext, kind: "existing" | "new-server"): PlannedStep {
  const { target, backup, bin } = rc;
  return automatic(
    rc,
    {
      key: "preflight",
      title: "Preflight: target, versions, sessions, disk",
      description:
        kind === "existing"
          ? `Checks that ${rc.database} on ${describeServer(rc.server)} is reachable, compares its server version with the backup's, lists who is connected, the database size, the free disk for the download and whether the backup was verified. Changes nothing.`
          : `Checks that the new server ${describeServer(rc.server)} is reachable and whether ${rc.database} exists on it (it must be missing or empty), compares versions, free disk and whether the backup was verified. Changes nothing.`,
    },
    untouchedNote(target),
    async (ctx) => {
      // The download does not depend on anything read here: it starts now (when the plan's
      // download step follows) and is stopped, its file and scratch database removed, when a
      // check below fails.
      const download = startDownloadAlongside(rc, ctx);
      try {
        return await preflight(ctx);
      } catch (e) {
        await download?.cancel();
        throw e;
      }
    },
  );

  async function preflight(ctx: StepContext): Promise<Record<string, unknown>> {
    {
      const opts = { ...bin, signal: ctx.signal };
      const facts: Record<string, unknown> = {};
      // Every read below is independent of the others: all start now and are taken in order,
      // so the facts and the first problem are reported as one after the other would. The reads
      // go in as few sessions as they can: one on the maintenance database, one on the target.
      const tool = isArchive(backup.format) ? "pg_restore" : "psql";
      const m = backup.manifest;
      const rolesQuery = m?.roles && m.roles.length > 0 ? checkRolesQuery(aclOfRoles(m.roles), rc.server.user) : null;
      const rolesAlone = rolesQuery !== null && !fitsOneArgument(rolesQuery.sql);
      const maintenance = early(
        runPsqlQueries(
          rc.server,
          [
            serverVersionQuery,
            restoreRoleFactsQuery(rc.server.user),
            kind === "existing" ? databasePropertiesQuery(rc.database) : NOTHING,
            rolesQuery && !rolesAlone ? rolesQuery : NOTHING,
          ],
          opts,
        ),
      );
      // Who else is connected is asked in the same session as the target's other reads, which
      // leaves out only itself (pg_backend_pid): no other session of this preflight is on it.
      const targetReads = (withHead: boolean) =>
        runPsqlQueries(
          target.conn,
          [
            serverVersionQuery,
            databaseSizeQuery,
            sessionsQuery(rc.database),
            (withHead ? migrationHeadQuery(target.migrationHead ?? DEFAULT_HEAD_SOURCE) : null) ?? NOTHING,
          ],
          opts,
        );
      // The migration head is read last: a database without the table the setting names fails
      // that read alone, and the others are read again without it (its head is "none").
      const onTarget =
        kind === "existing"
          ? early(targetReads(true).catch((e: unknown) => (headMissing(e) ? targetReads(false) : Promise.reject(e))))
          : null;
      const ahead = {
        role: early(maintenance.then((r) => r[1])),
        targetVersion: onTarget ? early(onTarget.then((r) => r[0])) : null,
        exists: kind === "new-server" ? early(databaseExists(rc.server, rc.database, opts)) : null,
        toolV: early(toolVersion(tool, bin)),
        scram: rc.target.conn.password ? early(clientSupportsRequireAuth(bin.binDir)) : null,
        roles: rolesQuery
          ? early(
              rolesAlone
                ? checkRoles(rc.server, aclOfRoles(m?.roles ?? []), opts)
                : maintenance.then((r) => r[3] as RoleCheck),
            )
          : null,
        sessions: onTarget ? early(onTarget.then((r) => r[2])) : null,
        props: kind === "existing" ? early(maintenance.then((r) => r[2])) : null,
        size: onTarget ? early(onTarget.then((r) => r[1])) : null,
        head: onTarget ? early(onTarget.then((r) => r[3])) : null,
        free: early(freeBytes(rc.workDir)),
      };
      const version = await maintenance.then(
        (r) => r[0],
        (e: unknown) => {
          if (isPgError(e, "database_missing")) {
            throw new UserError(
              `the maintenance database ${rc.server.database} does not exist on ${describeServer(rc.server)}: Lifeboat needs it to create and rename databases (set another one in the restore options)`,
            );
          }
          throw e;
        },
      );
      facts.serverVersion = version;
      ctx.log(`${describeServer(rc.server)} is reachable: PostgreSQL ${version}`);
      const role = await ahead.role;
      facts.restoreRole = role;
      const roleWarning = restoreRoleWarning(role, rc.server, rc.target.environment);
      if (roleWarning) ctx.log(roleWarning, "stderr");
      else
        ctx.log(
          `restoring as ${role.role}: not a superuser, no access to the server's programs or files${role.createdb ? "" : " (it has no CREATEDB: creating the scratch database will fail unless it owns the target)"}`,
        );

      if (kind === "existing") {
        await ahead.targetVersion;
        ctx.log(`${describeConnection(target.conn)} is reachable`);
      } else {
        const exists = await ahead.exists;
        facts.targetExists = exists;
        if (exists) {
          const tables = await userTableCount(target.conn, opts);
          facts.targetTables = tables;
          if (tables > 0) {
            throw new UserError(
              `${rc.database} already exists on ${describeServer(rc.server)} and has ${tables} table${tables === 1 ? "" : "s"}: this scenario restores into an empty database on a new server. To replace an existing database use the database-corruption scenario`,
              409,
            );
          }
          ctx.log(`${rc.database} exists and is empty: the backup will be restored into it`);
        } else {
          ctx.log(`${rc.database} does not exist yet: it will be created`);
        }
      }

      const toolV = await ahead.toolV;
      facts.toolVersion = `${tool} ${toolV}`;
      ctx.log(`local ${tool}: ${toolV}`);
      if (rc.target.conn.password) {
        const scramOnly = await ahead.scram;
        facts.requireScram = scramOnly;
        ctx.log(
          scramOnly
            ? "the password is sent only by SCRAM (require_auth=scram-sha-256): never in clear text or as MD5"
            : `${tool} ${toolV} cannot insist on SCRAM (require_auth needs client tools 16 or newer): the password goes the way the server asks`,
        );
      }
      if (m) {
        facts.backupServerVersion = m.serverVersion;
        facts.backupPgDumpVersion = m.pgDumpVersion;
        ctx.log(
          `the backup was made from PostgreSQL ${m.serverVersion} by pg_dump ${m.pgDumpVersion} at ${m.createdAt}`,
        );
        const dumpMajor = major(m.pgDumpVersion);
        const toolMajor = major(toolV);
        if (isArchive(backup.format) && dumpMajor !== null && toolMajor !== null && dumpMajor > toolMajor) {
          throw new UserError(
            `pg_restore ${toolV} cannot read an archive made by pg_dump ${m.pgDumpVersion}: install PostgreSQL client tools ${dumpMajor} or newer on the console's server and set their directory in Settings`,
          );
        }
        const sourceMajor = major(m.serverVersion);
        const targetMajor = major(version);
        if (sourceMajor !== null && targetMajor !== null && sourceMajor > targetMajor) {
          ctx.log(
            `warning: the backup comes from PostgreSQL ${m.serverVersion}, newer than the target's ${version}: the restore may fail on features the older server lacks`,
            "stderr",
          );
        }
        if (m.roles && m.roles.length > 0) {
          // Roles live in the server, not in the backup: say now which are missing, not after the download.
          const check = await (ahead.roles ?? checkRoles(rc.server, aclOfRoles(m.roles), opts));
          facts.missingRoles = check.missing;
          const problem = roleProblemMessage(check, rc.server);
          if (problem) throw new UserError(problem, 422);
          ctx.log(
            `the backup's objects belong or are granted to ${m.roles.length} role${m.roles.length === 1 ? "" : "s"} (${m.roles.join(", ")}): each exists on ${describeServer(rc.server)}`,
          );
        }
      } else {
        ctx.log(
          backup.untrustedManifestNote
            ? `${backup.untrustedManifestNote}; its versions, checksum and row counts are not compared`
            : "the backup has no manifest: its versions, checksum and row counts cannot be compared",
          "stderr",
        );
      }

      if (kind === "existing") {
        const sessions = (await ahead.sessions) ?? [];
        facts.sessions = sessions.length;
        facts.sessionList = sessions.slice(0, 20).map(describeSession);
        ctx.log(
          sessions.length === 0
            ? `nobody else is connected to ${rc.database}`
            : `${sessions.length} session${sessions.length === 1 ? "" : "s"} connected to ${rc.database} (the switch-over will end them):`,
        );
        for (const s of sessions.slice(0, 20)) ctx.log(`  ${describeSession(s)}`);
        if (sessions.length > 20) ctx.log(`  … and ${sessions.length - 20} more`);
        // The switch-over copies these; say now what the restore role will not be allowed to.
        const props = await ahead.props;
        if (props) {
          const { notApplied } = databasePropertyStatements(props, rc.database);
          facts.databasePropertiesNotApplied = notApplied.map((n) => n.what);
          ctx.log(
            `${rc.database} is owned by ${props.owner ?? "?"} with ${props.settings.length} database or per-role setting${props.settings.length === 1 ? "" : "s"} and ${props.grants === null ? "the default grants" : `${props.grants.length} grant${props.grants.length === 1 ? "" : "s"}`}: the switch-over gives them to the restored database`,
          );
          for (const n of notApplied)
            ctx.log(`warning: the switch-over will not apply ${n.what} — ${n.reason}`, "stderr");
        }
        const size = (await ahead.size) ?? 0;
        facts.databaseBytes = size;
        ctx.log(`${rc.database} is ${bytesText(size)} on disk; the scratch copy needs about as much on the server`);
        const head = (await ahead.head) ?? null;
        facts.migrationHead = head;
        ctx.log(
          `migration head now: ${(target.migrationHead ?? DEFAULT_HEAD_SOURCE).kind === "none" ? "not read (no migration table is set in Settings → Databases)" : (head ?? "none")}; the backup's: ${m ? (m.migrationHead ?? "none") : "unknown (no manifest)"}`,
        );
      }

      const free = await ahead.free;
      const needed = backup.size + 16 * MIB;
      facts.freeBytes = free;
      facts.neededBytes = needed;
      if (free < needed) {
        throw new UserError(
          `only ${bytesText(free)} is free in ${path.dirname(rc.workDir)} but the download needs ${bytesText(needed)}: free some space or set another work folder`,
        );
      }
      ctx.log(
        `free disk for the download in ${path.dirname(rc.workDir)}: ${bytesText(free)} (needs ${bytesText(backup.size)})`,
      );

      const v = backup.verification;
      facts.backupVerified = v ? v.ok : null;
      if (!v) ctx.log("the backup has not been verified yet: the verify step checks it before anything is restored");
      else
        ctx.log(
          `last verification (${Number.isNaN(new Date(v.at).getTime()) ? String(v.at) : new Date(v.at).toISOString()}): ${v.ok ? "passed" : "FAILED"}${v.summary ? ` — ${v.summary}` : ""}`,
          v.ok ? "info" : "stderr",
        );
      return facts;
    }
  }
}

/** A place in a batch of queries that asks nothing. */
const NOTHING: PsqlQuery<null> = { sql: "SELECT NULL WHERE false", read: () => null };

const databaseSizeQuery: PsqlQuery<number> = {
  sql: "SELECT pg_database_size(current_database())",
  read: (rows) => Number(rows[0]?.[0] ?? 0),
};

/** The roles a manifest names, as the role check takes them (none known as owners). */
function aclOfRoles(roles: string[]): AclFacts {
  return { roles, owners: [], reads: [], readsDropped: 0 };
}

type DownloadOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A download the preflight started for the download step of the same plan, in this process. */
type AlongsideDownload = {
  outcome: Promise<DownloadOutcome>;
  /** Where its log lines and progress go: the preflight's log first, the download step's once it takes over. */
  sink: { log: StepContext["log"]; progress: StepContext["progress"] };
  bytes: { done: number; total: number | null };
  stop: AbortController;
  /** Aborted when stopped or when the run that started it ended. */
  signal: AbortSignal;
};

const downloadStarters = new WeakMap<RestoreContext, (ctx: StepContext) => AlongsideDownload>();
const downloadsAlongside = new WeakMap<RestoreContext, AlongsideDownload>();

/** Starts the download of `rc`'s plan, when its download step allows it; returns how to cancel it. */
function startDownloadAlongside(rc: RestoreContext, ctx: StepContext): { cancel: () => Promise<void> } | null {
  const start = downloadStarters.get(rc);
  // A preview (the wizard's preflight before the confirmation) starts nothing.
  if (!start || ctx.preview || downloadsAlongside.has(rc)) return null;
  const d = start(ctx);
  downloadsAlongside.set(rc, d);
  return {
    cancel: async () => {
      downloadsAlongside.delete(rc);
      d.stop.abort();
      const o = await d.outcome;
      // Stopped, it removed its own file and scratch database; finished before the stop, both
      // are still there. Either way nothing of it may stay behind a failed preflight.
      if (o.ok) {
        // Its scratch database may still be being created: dropped once it exists.
        const made = takeAhead(scratchAheadKey(rc));
        if (made) await made;
        await dropScratchDatabase(rc.server, rc.scratch, rc.bin).catch(() => false);
      }
      await removeWorkDir(rc.workDir).catch(() => false);
      ctx.log(
        `the download started alongside was stopped and its file removed${o.ok ? `, and ${rc.scratch} dropped` : ""}`,
      );
    },
  };
}

export function downloadStep(
  rc: RestoreContext,
  note: string,
  /** The plan creates a scratch database later: create it while the backup downloads. */
  opts: { scratchAlongside?: boolean } = {},
): PlannedStep {
  const { backup } = rc;
  const checks: Record<BackupFormat, string> = {
    custom: backup.manifest
      ? "the verification (table of contents; the data blocks are bound by the signed manifest's sha256 and read by the restore itself) and the SQL safety inspection of the archive's schema"
      : "the verification (table of contents, every data block) and the SQL safety inspection",
    tar: "the verification (table of contents, every tar member)",
    plain: "the verification (pg_dump's completion line)",
    plain_gzip: "the verification (gzip to the end, pg_dump's completion line)",
    unknown: "the verification",
  };
  const step = automatic(
    rc,
    {
      key: "download",
      title: "Download the backup",
      // A runbook's plan has no backup yet, so no size (NaN).
      description: `Streams ${backup.key}${Number.isFinite(backup.size) ? ` (${bytesText(backup.size)})` : ""} from ${backup.locationName} to a private file (0600) in ${rc.workDir}, computing its sha256${backup.manifest ? " and comparing it with the manifest's" : ""}; the same pass feeds ${checks[backup.format]}, so the next steps read nothing again.${opts.scratchAlongside ? ` It starts while the preflight runs (stopped and removed if the preflight finds a problem), and meanwhile the empty scratch database ${rc.scratch} is created (dropped again if the download fails).` : ""}`,
    },
    note,
    async (ctx) => {
      const alongside = downloadsAlongside.get(rc);
      downloadsAlongside.delete(rc);
      // One stopped with an earlier execution of this plan has cleaned up after itself (or is
      // doing so): wait for it, then download afresh.
      if (alongside?.signal.aborted) await alongside.outcome;
      if (!alongside || alongside.signal.aborted) return downloadAndScratch(ctx);
      // Started by the preflight: its lines and progress come here from now on.
      alongside.sink.log = ctx.log;
      alongside.sink.progress = ctx.progress;
      ctx.log(
        `the download started while the preflight ran${alongside.bytes.done > 0 ? ` (${bytesText(alongside.bytes.done)} so far)` : ""}`,
      );
      ctx.progress(alongside.bytes.done, alongside.bytes.total);
      const o = await alongside.outcome;
      if (o.ok) return o.value;
      throw o.error;
    },
  );
  if (opts.scratchAlongside) downloadStarters.set(rc, startAlongside);
  return step;

  function startAlongside(pctx: StepContext): AlongsideDownload {
    const stop = new AbortController();
    const bytes: AlongsideDownload["bytes"] = { done: 0, total: null };
    const sink: AlongsideDownload["sink"] = {
      log: (text, stream) => pctx.log(`download (alongside the preflight): ${text}`, stream),
      progress: () => undefined,
    };
    const signal = AbortSignal.any([pctx.signal, stop.signal]);
    const ctx: StepContext = {
      ...pctx,
      log: (text, stream) => sink.log(text, stream),
      progress: (done, total) => {
        bytes.done = done;
        bytes.total = total;
        sink.progress(done, total);
      },
      signal,
    };
    const outcome: Promise<DownloadOutcome> = downloadAndScratch(ctx).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    return { outcome, sink, bytes, stop, signal };
  }

  async function downloadAndScratch(ctx: StepContext) {
    {
      // The empty scratch database does not depend on the bytes: made while they stream.
      const scratchKey = scratchAheadKey(rc);
      const scratch = opts.scratchAlongside
        ? startAhead(scratchKey, () => createScratchDatabase(rc.server, rc.scratch, rc.database, rc.bin))
        : null;
      const dropScratchAhead = async () => {
        if (!scratch) return;
        takeAhead(scratchKey);
        if ((await scratch).ok) await dropScratchDatabase(rc.server, rc.scratch, rc.bin).catch(() => false);
      };
      try {
        return await download(ctx);
      } catch (e) {
        await dropScratchAhead();
        throw e;
      }
    }
  }

  async function download(ctx: StepContext) {
    await prepareWorkDir(rc.workDir);
    const free = await freeBytes(rc.workDir);
    if (free < backup.size + 16 * MIB)
      throw new UserError(
        `only ${bytesText(free)} is free in ${rc.workDir}; the download needs ${bytesText(backup.size)}`,
      );
    // The object must be the one the confirmed plan names: same size and etag before the
    // download, and the downloaded bytes' sha256 the bound one (or, when none was known, the
    // same size and etag after it too: not swapped while it streamed).
    const bound = bindingOf(rc).backup;
    const changed = async (when: "before" | "after") => {
      const st = await backup.storage.stat(backup.key);
      const differences = backupDifferences(bound, { ...bound, size: st.size, etag: st.etag });
      if (differences.length === 0) return;
      if (when === "after") await removeWorkDir(rc.workDir);
      throw new UserError(backupChangedMessage(differences), 409);
    };
    await changed("before");
    ctx.log(`downloading ${backup.key} from ${backup.locationName} (${backup.storage.description}) to ${rc.file}`);
    ctx.progress(0, backup.size);
    const source = await backup.storage.read(backup.key);
    const r = await downloadOnePass(source, rc.file, {
      format: backup.format,
      size: backup.size,
      manifest: backup.manifest,
      binDir: rc.bin.binDir,
      onProgress: (b) => ctx.progress(b, backup.size),
      signal: ctx.signal,
      // The safety step asks the server about the archive's roles: asked now, while the bytes
      // stream. It takes the answer only for the inspection it is handed, in this same execution.
      onInspection: (inspection) =>
        startAhead(rolesAheadKey(rc), async () => ({
          acl: inspection.acl,
          run: ctx.signal,
          check: await checkRoles(rc.server, inspection.acl, { ...rc.bin, signal: ctx.signal }),
        })),
    });
    // A sha256 from the manifest is checked below, with the manifest's own words.
    if (bound.sha256From === "verification" && r.sha256 !== bound.sha256) {
      await removeWorkDir(rc.workDir);
      throw new UserError(
        backupChangedMessage([
          `the downloaded bytes' sha256 is ${r.sha256}, the plan was confirmed for ${bound.sha256} (Lifeboat's verification)`,
        ]),
        409,
      );
    }
    if (bound.sha256 === null) await changed("after");
    const problems: string[] = [];
    if (r.bytes !== backup.size)
      problems.push(`the download is ${bytesText(r.bytes)} but ${backup.locationName} lists ${bytesText(backup.size)}`);
    const m = backup.manifest;
    if (m && m.size !== r.bytes)
      problems.push(
        `the manifest records ${bytesText(m.size)}, the download is ${bytesText(r.bytes)}: the file was cut off or replaced`,
      );
    if (m && m.sha256 !== r.sha256)
      problems.push(
        `its sha256 is ${r.sha256} but the manifest records ${m.sha256}: the bytes changed after the backup was made`,
      );
    if (problems.length > 0) {
      await removeWorkDir(rc.workDir);
      throw new UserError(`the downloaded backup is not the one that was made: ${problems.join("; ")}`, 422);
    }
    ctx.log(
      `downloaded ${bytesText(r.bytes)} in ${(r.durationMs / 1000).toFixed(1)} s; sha256 ${r.sha256}${m ? " (matches the manifest)" : ""}`,
    );
    ctx.log(
      bound.sha256 !== null
        ? `the bytes are the ones the plan was confirmed for (sha256 from ${bound.sha256From === "verification" ? "Lifeboat's last verification" : "the manifest"})`
        : "the plan knew no sha256 for this backup (never verified, no manifest): it is bound to its size and etag, which did not change",
    );
    const v = r.verification;
    ctx.log(
      v
        ? `checked on the same pass: ${v.ok ? "the verification passed" : "the verification FAILED (the verify step stops the restore)"}`
        : "the verification could not run on the download's pass: the verify step reads the file",
    );
    return {
      path: r.path,
      bytes: r.bytes,
      sha256: r.sha256,
      matchesManifest: m ? true : null,
      durationMs: r.durationMs,
      file: r.file,
      verification: v
        ? {
            ok: v.ok,
            summary: v.summary,
            checks: v.checks,
            sha256: v.sha256,
            bytes: v.bytes,
            durationMs: v.durationMs,
          }
        : null,
    };
  }
}

const scratchAheadKey = (rc: RestoreContext) => `${describeServer(rc.server)}/${rc.scratch}`;
const rolesAheadKey = (rc: RestoreContext) => `roles ${describeServer(rc.server)} ${rc.workDir}`;
const grantsAheadKey = (rc: RestoreContext, conn: PgConnection) =>
  `grants ${describeServer(rc.server)}/${conn.database} ${rc.workDir}`;

/**
 * A backup refused before the scratch step (verification, SQL safety) leaves no database behind:
 * the empty scratch database the download created alongside is dropped before the step fails.
 */
function dropsScratchMadeAhead(
  rc: RestoreContext,
  run: (ctx: StepContext) => Promise<unknown>,
): (ctx: StepContext) => Promise<unknown> {
  return async (ctx) => {
    try {
      return await run(ctx);
    } catch (e) {
      const made = takeAhead(scratchAheadKey(rc));
      if (made && (await made).ok) await dropScratchDatabase(rc.server, rc.scratch, rc.bin).catch(() => false);
      throw e;
    }
  };
}

/** download: what it downloaded, and the verification it made of the same bytes on the way. */
export const downloadResult = stepResult(
  "download",
  z.object({
    sha256: z.string(),
    bytes: z.number(),
    file: fileIdentitySchema.optional(),
    verification: z
      .object({
        ok: z.boolean(),
        summary: z.string(),
        checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
        sha256: z.string(),
        bytes: z.number(),
        durationMs: z.number(),
      })
      .nullable()
      .optional(),
  }),
);

/** The download's verification when it is of the file there now (same sha256, size, inode, time), else null. */
async function verificationOfDownload(rc: RestoreContext, ctx: StepContext) {
  const d = downloadResult.find(ctx);
  const v = d?.verification;
  if (!d || !v || !d.file || v.sha256 !== d.sha256 || v.bytes !== d.bytes) return null;
  return sameFile(d.file, await fileIdentity(rc.file)) ? v : null;
}

export function verifyStep(rc: RestoreContext, note: string): PlannedStep {
  const { backup } = rc;
  const how: Record<BackupFormat, string> = {
    custom: "pg_restore reads its table of contents and every data block",
    tar: "pg_restore reads its table of contents and every tar member is checked to be complete",
    plain: "the SQL must end with pg_dump's completion line",
    plain_gzip: "gzip must decompress to the end and the SQL must end with pg_dump's completion line",
    unknown: "",
  };
  return automatic(
    rc,
    {
      key: "verify-backup",
      title: "Verify the backup",
      description: `Size and sha256${backup.manifest ? " against the manifest" : ""}; ${how[backup.format]}. The download checked its bytes on their way to the file, so this step records that result (for the file still there, unchanged); only when the download could not check them does it read the file once. A damaged or truncated backup stops the restore here.`,
    },
    note,
    dropsScratchMadeAhead(rc, async (ctx) => {
      const checked = await verificationOfDownload(rc, ctx);
      const r = checked
        ? { ...checked, durationMs: 0 }
        : await verifyBackup({
            open: async () => createReadStream(rc.file),
            size: backup.size,
            format: backup.format,
            manifest: backup.manifest,
            onProgress: (done, total) => ctx.progress(done, total),
            signal: ctx.signal,
            binDir: rc.bin.binDir,
          });
      ctx.log(
        checked
          ? `checked while downloading (sha256 ${checked.sha256}, the file unchanged since): nothing read again`
          : `read ${rc.file} to check it`,
      );
      for (const c of r.checks) ctx.log(`${c.ok ? "ok" : "FAILED"} — ${c.name}: ${c.detail}`, c.ok ? "info" : "stderr");
      if (!r.ok) {
        const failed = r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
        throw new UserError(`the backup failed verification and cannot be restored: ${failed.join("; ")}`, 422);
      }
      return { ok: true, summary: r.summary, checks: r.checks, durationMs: r.durationMs, onDownload: checked !== null };
    }),
  );
}

/** Plain SQL only: refuses a dump that could reach the shell through psql (acceptance 5). */
export function safetyStep(rc: RestoreContext, note: string): PlannedStep {
  const { backup } = rc;
  const plain = !isArchive(backup.format);
  return automatic(
    rc,
    {
      key: "sql-safety",
      title: "SQL safety and roles",
      command: plain ? psqlHelpCommandsArgs(rc.bin) : archiveScriptArgv(rc.file, rc.bin),
      description: plain
        ? "A plain dump is a psql script, and psql meta-commands (\\!, \\o |cmd, \\copy … program, \\setenv, \\i …) can run programs on the console's server. The whole script is scanned for meta-commands pg_dump does not write, and it is restored only in psql's restricted mode (\\restrict), where psql itself refuses every meta-command. Every role the dump gives objects or grants to must exist on the target server."
        : "pg_restore writes the archive as the SQL it would run, and that script is scanned like a plain dump: statements pg_dump does not write that could run programs or touch files on the database's server (COPY … PROGRAM, lo_import, pg_read_server_files, ALTER SYSTEM, untrusted languages, DO blocks with EXECUTE) stop the restore. Every role the archive gives objects or grants to must exist on the target server.",
    },
    note,
    dropsScratchMadeAhead(rc, async (ctx) => {
      if (!plain) {
        const sha256 = downloadResult.find(ctx)?.sha256;
        const ahead = sha256 ? await inspectionOf(rc.file, sha256) : null;
        ctx.log(
          ahead?.schemaOnly
            ? "the archive's schema was read while it downloaded (the same bytes, the file unchanged since). Its data section was not: the bytes are the ones the signed manifest names, so it holds pg_dump's own COPY data and setval lines, which run no SQL of the archive's"
            : ahead
              ? "the archive's script was read while it downloaded (the same bytes, the file unchanged since)"
              : `reading the archive's script from ${rc.file}`,
        );
        // The role check started on the download's pass, for this very inspection, in this execution.
        const rolesAhead = takeAhead<{ acl: AclFacts; run: AbortSignal; check: RoleCheck }>(rolesAheadKey(rc));
        const roles = ahead ? await rolesAhead : null;
        const inspected = ahead ?? (await inspectArchive(rc.file, rc.bin, ctx.signal));
        const rolesChecked =
          ahead && roles?.ok && roles.value.acl === ahead.acl && !roles.value.run.aborted ? roles.value.check : null;
        ctx.log(
          inspected.schemaOnly
            ? `read the archive's schema: ${inspected.lines.toLocaleString("en-US")} lines, ${inspected.statements.toLocaleString("en-US")} statements`
            : `read the archive's script: ${inspected.lines.toLocaleString("en-US")} lines, ${inspected.statements.toLocaleString("en-US")} statements, ${inspected.copyBlocks} COPY data blocks`,
        );
        if (inspected.findingCount > 0) {
          for (const f of inspected.findings) ctx.log(`script line ${f.line}: ${f.text} — ${f.reason}`, "stderr");
          throw new UserError(unsafeArchiveMessage(inspected.findings, inspected.findingCount), 422);
        }
        for (const w of inspected.warnings) ctx.log(`script line ${w.line}: ${w.text} — ${w.reason}`, "stderr");
        if (rolesChecked) ctx.log("the archive's roles were looked up on the server while the backup downloaded");
        await requireRestorableRoles(
          rc.server,
          inspected.acl,
          { ...rc.bin, signal: ctx.signal },
          ctx.log,
          rolesChecked,
        );
        return { format: backup.format, mode: "archive", acl: inspected.acl };
      }
      const support = await psqlRestrictSupport(rc.bin);
      ctx.log(
        support.supported
          ? `psql ${support.psqlVersion} supports \\restrict: the dump will run in restricted mode, where psql refuses every meta-command`
          : `psql ${support.psqlVersion} does not support \\restrict (added in 17.6, 16.10, 15.14, 14.19, 13.22)`,
      );
      const scan = await scanPlainDump(rc.file, backup.format, (b) => ctx.progress(b, backup.size), ctx.signal);
      const m = backup.manifest;
      const trusted = m !== null && m.sha256 === scan.sha256;
      ctx.log(
        `scanned ${scan.lines.toLocaleString("en-US")} lines (${bytesText(scan.sqlBytes)} of SQL): ${scan.statements.toLocaleString("en-US")} statements, ${scan.copyBlocks} COPY data blocks, ${scan.restrictLines} \\restrict line${scan.restrictLines === 1 ? "" : "s"} of pg_dump's own`,
      );
      if (scan.findingCount > 0) {
        for (const f of scan.findings) ctx.log(`line ${f.line}: ${f.text} — ${f.reason}`, "stderr");
        throw new UserError(new UnsafeSqlError(scan.findings, scan.findingCount).message, 422);
      }
      ctx.log(`no psql meta-commands besides pg_dump's own`);
      await requireRestorableRoles(rc.server, scan.acl, { ...rc.bin, signal: ctx.signal }, ctx.log);
      for (const w of scan.warnings) ctx.log(`line ${w.line}: ${w.text} — ${w.reason}`, "stderr");
      ctx.log(
        m === null
          ? "the backup has no manifest to vouch for it"
          : trusted
            ? "its sha256 matches the manifest Lifeboat wrote when it made the backup"
            : "its sha256 does NOT match the manifest beside it",
        trusted ? "info" : "stderr",
      );
      // The scanner is one layer; psql's restricted mode is the one that holds when a script
      // changes how psql reads it at run time. A manifest beside the dump vouches for nothing
      // (anyone who can write the dump can write the manifest), so there is no fallback.
      if (!support.supported) {
        throw new UserError(
          `plain SQL is restored only in psql's restricted mode, and psql ${support.psqlVersion} here has no \\restrict. ` +
            "Install PostgreSQL client tools 17.6/16.10/15.14 or newer on the console's server (and set their directory in Settings), or restore a custom-format (.dump) backup",
          422,
        );
      }
      return {
        format: backup.format,
        mode: support.supported ? "restricted" : "trusted-manifest",
        psqlVersion: support.psqlVersion,
        restrictSupported: support.supported,
        sha256MatchesManifest: m === null ? null : trusted,
        acl: scan.acl,
        lines: scan.lines,
        statements: scan.statements,
        copyBlocks: scan.copyBlocks,
      };
    }),
  );
}

function createScratchCommand(rc: RestoreContext): Argv {
  return psqlArgs({
    database: rc.server.database,
    command: [
      dropDatabaseSql(rc.scratch),
      `CREATE DATABASE "${rc.scratch.replace(/"/g, '""')}" TEMPLATE template0 -- with ${rc.database}'s encoding and locale`,
    ],
    onErrorStop: true,
    binDir: rc.bin.binDir,
  });
}

export function createScratchStep(rc: RestoreContext, note: string): PlannedStep {
  return automatic(
    rc,
    {
      key: "create-scratch",
      title: `Create the scratch database ${rc.scratch}`,
      command: createScratchCommand(rc),
      description: `Creates ${rc.scratch} on ${describeServer(rc.server)} (empty, from template0, with ${rc.database}'s encoding and locale), dropping a leftover of the same name from an interrupted attempt first.`,
    },
    note,
    async (ctx) => {
      const ahead = await takeAhead<Awaited<ReturnType<typeof createScratchDatabase>>>(scratchAheadKey(rc));
      // Made while the backup downloaded, unless that failed (then made now) or nothing started
      // it (a resumed run): a scratch database that went missing since is made again by the restore.
      if (ahead?.ok) ctx.log(`${rc.scratch} was created while the backup downloaded`);
      const r = ahead?.ok
        ? ahead.value
        : await createScratchDatabase(rc.server, rc.scratch, rc.database, { ...rc.bin, signal: ctx.signal });
      if (r.droppedLeftover) ctx.log(`dropped a leftover ${rc.scratch} from an earlier attempt`);
      for (const s of r.sql) ctx.log(s);
      return { database: rc.scratch, droppedLeftover: r.droppedLeftover };
    },
  );
}

/** What the restore step runs: pg_restore for archives, psql for plain SQL. */
export function restoreCommand(rc: RestoreContext, database: string, singleTransaction: boolean): Argv {
  return isArchive(rc.backup.format)
    ? archiveRestoreArgv({
        database,
        file: rc.file,
        jobs: singleTransaction ? 1 : rc.jobs,
        singleTransaction,
        binDir: rc.bin.binDir,
      })
    : plainRestoreArgv({ database, binDir: rc.bin.binDir });
}

async function runRestore(
  rc: RestoreContext,
  ctx: StepContext,
  conn: PgConnection,
  singleTransaction: boolean,
): Promise<Record<string, unknown>> {
  const { backup } = rc;
  ctx.log(formatArgv(restoreCommand(rc, conn.database, singleTransaction)));
  if (isArchive(backup.format)) {
    const r = await restoreArchive(
      {
        conn,
        file: rc.file,
        jobs: singleTransaction ? 1 : rc.jobs,
        singleTransaction,
        binDir: rc.bin.binDir,
        tables: backup.manifest?.tables.length ?? null,
      },
      ctx.log,
      ctx.progress,
      ctx.signal,
    );
    ctx.log(`pg_restore finished in ${(r.durationMs / 1000).toFixed(1)} s (${r.tablesWithData} tables with data)`);
    return { tool: "pg_restore", ...r };
  }
  if (backup.format !== "plain" && backup.format !== "plain_gzip")
    throw new UserError(`a backup of format ${backup.format} cannot be restored: set its format`);
  const support = await psqlRestrictSupport(rc.bin);
  if (!support.supported) {
    throw new UserError(
      `plain SQL is restored only in psql's restricted mode, and psql ${support.psqlVersion} here has no \\restrict: install PostgreSQL client tools 17.6/16.10/15.14 or newer on the console's server, or restore a custom-format (.dump) backup`,
      422,
    );
  }
  ctx.log(
    "running the script in psql's restricted mode (\\restrict with a key of this run), one transaction, stopping at the first error",
  );
  const r = await restorePlain(
    { conn, file: rc.file, format: backup.format, restricted: true, binDir: rc.bin.binDir },
    ctx.log,
    ctx.progress,
    ctx.signal,
  );
  ctx.log(
    `psql finished in ${(r.durationMs / 1000).toFixed(1)} s (${r.statements.toLocaleString("en-US")} statements, ${r.copyBlocks} COPY blocks)`,
  );
  return { tool: "psql", ...r };
}

export function restoreScratchStep(rc: RestoreContext, note: string): PlannedStep {
  return automatic(
    rc,
    {
      key: "restore-scratch",
      title: `Restore into ${rc.scratch}`,
      command: restoreCommand(rc, rc.scratch, false),
      description: isArchive(rc.backup.format)
        ? `pg_restore --exit-on-error into the scratch database${rc.jobs > 1 ? ` with ${rc.jobs} parallel jobs (connections)` : rc.backup.format === "tar" ? " in one stream (pg_restore restores a tar archive with one job)" : " with one job"}, owners and grants as they were; the first error stops it, and a scratch database left half-restored is dropped. ${rc.database} is not touched.`
        : `psql with ON_ERROR_STOP=1 in one transaction, the dump streamed${rc.backup.format === "plain_gzip" ? " through gunzip" : ""} and scanned on its way in; the first error stops it. ${rc.database} is not touched.`,
    },
    note,
    async (ctx) => {
      const opts = { ...rc.bin, signal: ctx.signal };
      const dropIncomplete = async () => {
        // Half a restore is of no use to anyone; the step creates it afresh when run again.
        const dropped = await dropScratchDatabase(rc.server, rc.scratch, rc.bin).then(
          () => true,
          () => false,
        );
        ctx.log(
          dropped
            ? `dropped the incomplete ${rc.scratch}`
            : `could not drop the incomplete ${rc.scratch}: drop it by hand`,
          "stderr",
        );
      };
      try {
        return { database: rc.scratch, ...(await runRestore(rc, ctx, rc.scratchConn, false)) };
      } catch (e) {
        // Run again after an interruption, the scratch database is missing or holds what the
        // earlier attempt restored (its first CREATE then fails): start it afresh, once. Not
        // checked beforehand, so that the usual case costs nothing.
        if (!leftoverOfEarlierAttempt(e, rc.scratch) || ctx.signal.aborted) {
          await dropIncomplete();
          throw e;
        }
        ctx.log(
          `${rc.scratch} is missing or holds objects of an interrupted attempt: creating it afresh and restoring again`,
          "stderr",
        );
      }
      await createScratchDatabase(rc.server, rc.scratch, rc.database, opts);
      try {
        return { database: rc.scratch, recreated: true, ...(await runRestore(rc, ctx, rc.scratchConn, false)) };
      } catch (e) {
        await dropIncomplete();
        throw e;
      }
    },
  );
}

/** A restore that failed because of a previous attempt's leftovers (or a missing scratch database). */
function leftoverOfEarlierAttempt(e: unknown, scratch: string): boolean {
  if (!(e instanceof Error)) return false;
  if (isPgError(e, "database_missing") && e.subject === scratch) return true;
  // duplicate_object, duplicate_table, duplicate_schema, duplicate_function: objects of an earlier attempt.
  if (e instanceof PgCommandError && e.sqlstate !== null && ["42710", "42P07", "42P06", "42723"].includes(e.sqlstate))
    return true;
  return /ERROR:\s+(?:[0-9A-Z]{5}:\s+)?(relation|type|function|schema|sequence|index|constraint|extension|collation|operator|domain) .* already exists/.test(
    e.message,
  );
}

function verifyCountsStep(
  rc: RestoreContext,
  key: "verify-scratch" | "verify-target",
  conn: PgConnection,
  note: string | null,
  title: string,
  description: string,
  verdict: (tables: TableRowCount[], source: string | null) => string,
): PlannedStep {
  return automatic(rc, { key, title, description }, note, async (ctx) => {
    // The grants step reads the same scratch database, read-only: its check runs alongside the counts.
    const acl = key === "verify-scratch" ? safetyResult.find(ctx)?.acl : undefined;
    if (acl)
      startAhead(grantsAheadKey(rc, conn), async () => ({
        reads: await checkReads(conn, acl, { ...rc.bin, signal: ctx.signal }),
        run: ctx.signal,
      }));
    const recovered = recoveredCountsResult.find(ctx);
    const expected =
      key === "verify-scratch"
        ? rc.backup.manifest
          ? { tables: rc.backup.manifest.tables, source: "the backup's manifest" }
          : recovered
            ? { tables: recovered.tables, source: "the recovered database" }
            : null
        : expectedCounts(rc, ctx);
    // The tables it should have (the scratch copy's, once verified and renamed) are counted in
    // the same session as the list of those it has; any difference is counted again as listed.
    const likely = (key === "verify-target" ? verifyScratchResult.find(ctx)?.tables : null) ?? expected?.tables ?? [];
    const tables = await tableRowCounts(conn, { ...rc.bin, signal: ctx.signal }, likely);
    for (const t of tables) ctx.log(`${tableKey(t)}: ${t.rows.toLocaleString("en-US")} rows`);
    if (tables.length === 0)
      throw new UserError(`${conn.database} has no tables after the restore: the backup restored nothing`, 422);
    if (expected) {
      const problems = countProblems(tables, expected.tables);
      if (problems.length > 0) {
        throw new UserError(
          `the row counts of ${conn.database} differ from ${expected.source}: ${problems.join("; ")}`,
          422,
        );
      }
      ctx.log(
        `all ${tables.length} tables match ${expected.source} (${totalRows(tables).toLocaleString("en-US")} rows)`,
      );
    } else {
      ctx.log(
        `${tables.length} tables present; the backup has no manifest, so the row counts could not be compared`,
        "stderr",
      );
    }
    return {
      database: conn.database,
      tables,
      matches: expected ? expected.source : null,
      verdict: verdict(tables, expected?.source ?? null),
    };
  });
}

export function verifyScratchStep(rc: RestoreContext, note: string): PlannedStep {
  return verifyCountsStep(
    rc,
    "verify-scratch",
    rc.scratchConn,
    note,
    `Verify ${rc.scratch}`,
    `Counts the rows of every table in the scratch database${rc.backup.manifest ? " and compares them, table by table, with the backup's manifest" : rc.pitr ? " and compares them, table by table, with the recovered database's" : " (the backup has no manifest to compare with)"}. A difference stops the restore before ${rc.database} is touched.`,
    (tables, source) => `The scratch copy has ${tables.length} tables${source ? `, row counts match ${source}` : ""}.`,
  );
}

export function switchOverStep(rc: RestoreContext): PlannedStep {
  const { server, database, scratch, oldCopy } = rc;
  const names = { target: database, scratch, oldCopy };
  return automatic(
    rc,
    {
      key: "switch-over",
      title: `Switch over: ${database} → ${oldCopy}, ${scratch} → ${database}`,
      command: psqlArgs({
        database: server.database,
        command: [
          "BEGIN",
          terminateAllSql([database, scratch]),
          renameSql(database, oldCopy),
          renameSql(scratch, database),
          "COMMIT",
        ],
        onErrorStop: true,
        binDir: rc.bin.binDir,
      }),
      description: `Ends every session on ${database} and ${scratch}, then in ONE transaction renames ${database} to ${oldCopy} (kept until an operator drops it) and the verified scratch database to ${database}, and gives it the original's owner, database and per-role settings, database grants and comment (a dump has none of them; what the restore role may not set is named in the log): an interruption leaves ${database} either as it was or fully switched, and the step says which. Run again after an interruption, it does only what is left.`,
    },
    async () => {
      const state = await switchOverState(server, names, rc.bin).catch(() => null);
      if (!state)
        return `The state of the databases on ${describeServer(server)} could not be read: check ${database}, ${oldCopy} and ${scratch} by hand before running this step again.`;
      const words = describeSwitchOverState(state, names, describeServer(server));
      return state.phase === "fresh"
        ? `${words} Sessions connected to it may have been ended. Run this step again to switch over.`
        : words;
    },
    async (ctx) => {
      ctx.log(`switching over on ${describeServer(server)}`);
      const r = await switchOver(server, names, (t, stream) => ctx.log(t, stream), {
        ...rc.bin,
        signal: ctx.signal,
        pauseAt: rc.pauseAt,
      });
      return { ...r, database, oldCopy };
    },
  );
}

export function verifyTargetStep(rc: RestoreContext, note: string | null, afterSwitch: boolean): PlannedStep {
  return verifyCountsStep(
    rc,
    "verify-target",
    rc.target.conn,
    note,
    `Verify ${rc.database}`,
    `Counts the rows of every table in ${rc.database} as the application will see it and compares them with ${rc.backup.manifest ? "the backup's manifest" : "the scratch copy's counts"}.`,
    (tables, source) =>
      `Restored ${rc.database} from ${rc.backup.key}: ${tables.length} tables, ${totalRows(tables).toLocaleString("en-US")} rows${source ? `, row counts match ${source}` : ""}.${afterSwitch ? ` The old copy is kept as ${rc.oldCopy}.` : ""}`,
  );
}

export function removeDownloadStep(rc: RestoreContext): PlannedStep {
  return automatic(
    rc,
    {
      key: "remove-download",
      title: "Remove the downloaded file",
      description: `Deletes ${rc.workDir} and the backup copy in it.`,
    },
    null,
    async (ctx) => {
      const removed = await removeWorkDir(rc.workDir);
      ctx.log(removed ? `removed ${rc.workDir}` : `${rc.workDir} was already gone`);
      return { removed };
    },
  );
}

export function migrationHeadsStep(rc: RestoreContext): PlannedStep {
  const source = rc.target.migrationHead ?? DEFAULT_HEAD_SOURCE;
  // Built by Lifeboat from the database's setting (quoted names); null when none is set.
  const query = headQuerySql(source);
  const backupHeadText = rc.backup.manifest
    ? (rc.backup.manifest.migrationHead ?? "none recorded")
    : "unknown: no manifest";
  return automatic(
    rc,
    {
      key: "migration-heads",
      title: "Compare migration heads",
      command:
        query === null
          ? undefined
          : psqlArgs({ database: rc.database, command: query, onErrorStop: true, csv: true, binDir: rc.bin.binDir }),
      description:
        query === null
          ? `No migration table is set for ${rc.target.name} (Settings → Databases), so only the backup's head (${backupHeadText}) is shown. Changes nothing.`
          : `Shows ${rc.database}'s current migration head (${describeHeadSource(source)}) next to the backup's (${backupHeadText}). Changes nothing.`,
    },
    untouchedNote(rc.target),
    async (ctx) => {
      const current = await migrationHead(rc.target.conn, source, { ...rc.bin, signal: ctx.signal });
      const backupHead = rc.backup.manifest ? rc.backup.manifest.migrationHead : null;
      ctx.log(
        query === null
          ? `${rc.database} now: not read (no migration table is set: choose the migration tool in Settings → Databases)`
          : `${rc.database} now: ${current ?? "no migration head"}`,
      );
      ctx.log(`the backup: ${rc.backup.manifest ? (backupHead ?? "no migration head") : "unknown (no manifest)"}`);
      if (query !== null && rc.backup.manifest && current === backupHead) {
        ctx.log(
          "the target is at the backup's head: the failed migration did not record itself, or this is not the pre-migration backup",
          "stderr",
        );
      }
      return { current, backup: backupHead, query };
    },
  );
}

/** preview-rows: exactly the rows the copy-back inserts (the schema is shared with the run page). */
export const previewRowsResult = stepResult("preview-rows", previewResultSchema);

/**
 * Where the rows are copied back from: the scratch copy of a dump, or (point-in-time recovery)
 * the recovery instance, whose port is known only once an earlier step started it.
 */
export type RowSource = { name: string; connect: (ctx: StepContext) => Promise<PgConnection> };

function scratchSource(rc: RestoreContext): RowSource {
  return { name: "the backup", connect: async () => rc.scratchConn };
}

export function previewRowsStep(
  rc: RestoreContext,
  table: string,
  idColumn: string,
  sel: RowSelection,
  source: RowSource = scratchSource(rc),
): PlannedStep {
  const what = `${idColumn} ${describeSelection(sel)}`;
  return automatic(
    rc,
    {
      key: "preview-rows",
      title: `Preview the rows of ${table} missing from production`,
      description: `Rows of ${table} with ${what} that ${source.name} has and ${rc.database} lacks: their count and first ids. Reads only.`,
    },
    untouchedNote(rc.target),
    async (ctx) => {
      const p = await previewRows(await source.connect(ctx), rc.target.conn, table, idColumn, sel, rc.bin);
      ctx.log(
        `${p.table}: ${p.inBackup.toLocaleString("en-US")} selected rows in ${source.name}, ${p.inProduction.toLocaleString("en-US")} of them still in production`,
      );
      ctx.log(
        p.missing === 0
          ? "no rows are missing: there is nothing to copy back"
          : `${p.missing.toLocaleString("en-US")} row${p.missing === 1 ? "" : "s"} to copy back; first ids: ${p.ids.slice(0, 10).join(", ")}${p.missing > 10 ? ", …" : ""}`,
      );
      // The stored result keeps the first ids; the whole list waits in the work folder.
      const kept = await keepPreviewIds(rc.workDir, p.ids);
      return { ...p, ...kept, verdict: `${p.missing} row${p.missing === 1 ? "" : "s"} of ${p.table} to copy back.` };
    },
  );
}

export function copyBackStep(
  rc: RestoreContext,
  table: string,
  idColumn: string,
  source: RowSource = scratchSource(rc),
): PlannedStep {
  const from = source.name === "the backup" ? "the scratch database" : source.name;
  return automatic(
    rc,
    {
      key: "copy-back",
      title: `Copy the missing rows back into ${rc.database}`,
      command: psqlArgs({
        database: rc.database,
        command: [
          "BEGIN",
          ...copyBackSql({
            schema: parseTableName(table).schema ?? "public",
            name: parseTableName(table).name,
            idColumn,
            columns: ["<every column of the table>"],
          }),
          "COMMIT",
        ],
        onErrorStop: true,
        csv: true,
        binDir: rc.bin.binDir,
      }),
      description: `In ONE transaction on ${rc.database}: the previewed rows are copied (COPY … TO STDOUT from ${from} into a temp table) and inserted where production still lacks them, ON CONFLICT DO NOTHING. COMMIT is sent only after every row arrived: a failure, or a console stopped half-way, rolls everything back.`,
    },
    // A failure here rolled back: production has what it had before the step.
    async () => `${untouchedNote(rc.target)} (The copy runs in one transaction, which was rolled back.)`,
    async (ctx) => {
      const preview = previewRowsResult.of(ctx);
      const p = { ...preview, ids: await previewIdsOf(rc.workDir, preview) };
      const sourceConn = await source.connect(ctx);
      ctx.log(
        `copying ${p.ids.length.toLocaleString("en-US")} rows of ${p.table} from ${source.name === "the backup" ? rc.scratch : source.name} into ${rc.database}`,
      );
      const r = await copyRowsBack(sourceConn, rc.target.conn, p, ctx.log, rc.bin, ctx.signal);
      ctx.log(
        `${r.inserted.toLocaleString("en-US")} row${r.inserted === 1 ? "" : "s"} inserted${r.skipped > 0 ? `, ${r.skipped} skipped (production has a row with the same id or another unique value now)` : ""}`,
      );
      return {
        ...r,
        table: p.table,
        verdict: `Copied ${r.inserted} row${r.inserted === 1 ? "" : "s"} back into ${p.table}${r.skipped > 0 ? ` (${r.skipped} already present)` : ""}.`,
      };
    },
  );
}

export function dropScratchStep(rc: RestoreContext): PlannedStep {
  return automatic(
    rc,
    {
      key: "drop-scratch",
      title: `Drop the scratch database ${rc.scratch}`,
      command: psqlArgs({
        database: rc.server.database,
        command: dropDatabaseSql(rc.scratch),
        onErrorStop: true,
        binDir: rc.bin.binDir,
      }),
      description: "The rows are back; the scratch copy of the backup is removed.",
    },
    null,
    async (ctx) => {
      const existed = await dropScratchDatabase(rc.server, rc.scratch, { ...rc.bin, signal: ctx.signal });
      ctx.log(existed ? `dropped ${rc.scratch}` : `${rc.scratch} was already gone`);
      return { dropped: existed };
    },
  );
}

export function createTargetStep(rc: RestoreContext): PlannedStep {
  return automatic(
    rc,
    {
      key: "create-target",
      title: `Create ${rc.database} on the new server`,
      command: psqlArgs({
        database: rc.server.database,
        command: `CREATE DATABASE "${rc.database.replace(/"/g, '""')}" TEMPLATE template0`,
        onErrorStop: true,
        binDir: rc.bin.binDir,
      }),
      description: `Creates ${rc.database} on ${describeServer(rc.server)} when it does not exist. A database that exists and has tables is refused: this scenario restores into an empty one. Database-level settings are not in a dump: its owner, ALTER DATABASE … SET and per-role settings, and database grants must be set again by hand.`,
    },
    "Nothing was restored yet.",
    async (ctx) => {
      const opts = { ...rc.bin, signal: ctx.signal };
      if (await databaseExists(rc.server, rc.database, opts)) {
        const tables = await userTableCount(rc.target.conn, opts);
        if (tables > 0) {
          throw new UserError(
            `${rc.database} already exists on ${describeServer(rc.server)} and has ${tables} table${tables === 1 ? "" : "s"}: this scenario restores into an empty database only. To replace an existing database use the database-corruption scenario`,
            409,
          );
        }
        ctx.log(`${rc.database} exists and is empty`);
        return { database: rc.database, created: false };
      }
      const sql = await createDatabaseSql(rc.server, rc.database, null, opts);
      await runPsqlQuery(rc.server, sql, opts);
      ctx.log(sql);
      return { database: rc.database, created: true };
    },
  );
}

export function restoreTargetStep(rc: RestoreContext): PlannedStep {
  return automatic(
    rc,
    {
      key: "restore-target",
      title: `Restore into ${rc.database}`,
      command: restoreCommand(rc, rc.database, true),
      description: `Restores the backup into the new, empty ${rc.database} in one transaction (${isArchive(rc.backup.format) ? "pg_restore --single-transaction --exit-on-error, owners and grants included; one connection, since a parallel restore cannot be one transaction" : "psql with ON_ERROR_STOP=1 between Lifeboat's own BEGIN and a COMMIT sent only after the whole script went through"}): a failure or an interruption leaves it empty, ready for another attempt.`,
    },
    `${rc.database} is left as it was before this step (the restore runs in one transaction).`,
    async (ctx) => {
      const opts = { ...rc.bin, signal: ctx.signal };
      const tables = await userTableCount(rc.target.conn, opts);
      if (tables > 0) {
        // An earlier attempt may have committed after this process lost track of it.
        const m = rc.backup.manifest;
        const counts = m ? await tableRowCounts(rc.target.conn, opts) : null;
        if (m && counts && countProblems(counts, m.tables).length === 0) {
          ctx.log(
            `${rc.database} already holds the backup (every row count matches the manifest): an earlier attempt finished`,
          );
          return { database: rc.database, alreadyRestored: true };
        }
        throw new UserError(
          `${rc.database} already has ${tables} table${tables === 1 ? "" : "s"} that do not match the backup: drop and re-create it (DROP DATABASE … ; the create step makes it again) before restoring`,
          409,
        );
      }
      return { database: rc.database, ...(await runRestore(rc, ctx, rc.target.conn, true)) };
    },
  );
}

export function healthCheckStep(rc: RestoreContext, urls: string[]): PlannedStep {
  return automatic(
    rc,
    {
      key: "check-health",
      title: "Health and readiness checks",
      description:
        urls.length === 0
          ? "No health URLs are configured for this database: the step says so and passes; check the application by hand."
          : `GETs ${urls.length} URL${urls.length === 1 ? "" : "s"} (5 s each) and expects 2xx: ${urls.map(displayUrl).join(", ")}.`,
    },
    null,
    async (ctx) => {
      if (urls.length === 0) {
        ctx.log(
          "no health or readiness URLs are configured: nothing was checked (add them to the database in Settings)",
          "stderr",
        );
        return {
          checked: 0,
          note: "no health URLs configured",
          verdict: "Restored; no health URLs were configured, so the application was not checked automatically.",
        };
      }
      const checks = [];
      for (const url of urls) {
        const c = await checkUrl(url, ctx.signal);
        ctx.log(`${c.ok ? "ok" : "FAILED"} — GET ${c.url}: ${c.detail}`, c.ok ? "info" : "stderr");
        checks.push(c);
      }
      const failed = checks.filter((c) => !c.ok);
      if (failed.length > 0) {
        throw new UserError(
          `${failed.length} of ${checks.length} health checks failed: ${failed.map((c) => `${c.url}: ${c.detail}`).join("; ")}`,
          503,
        );
      }
      return {
        checked: checks.length,
        checks,
        verdict: `Restored; ${checks.length} health check${checks.length === 1 ? "" : "s"} answered 2xx.`,
      };
    },
  );
}

/**
 * After a restore: every role that could read a table in the backup (granted SELECT, or its
 * owner) can read it here, with USAGE on its schema where the backup granted that. A role that
 * lost access fails the restore like a wrong row count does.
 */
export function verifyGrantsStep(rc: RestoreContext, conn: PgConnection, note: string | null): PlannedStep {
  return automatic(
    rc,
    {
      key: "verify-grants",
      title: "Check owners and grants",
      description: `Checks in ${conn.database} that every role that could read a table in the backup (a SELECT grant, or the table's owner) still can, and has USAGE on the table's schema where the backup granted it. A role that lost access stops the restore${conn.database === rc.scratch ? ` before ${rc.database} is touched` : ""}.`,
    },
    note,
    async (ctx) => {
      const acl = safetyResult.find(ctx)?.acl;
      if (!acl)
        throw new UserError(
          "the safety step's list of roles and grants is missing (a run planned before this check existed): start a new restore",
          409,
        );
      // Started by the scratch copy's verification when it ran just before in this process.
      // Only from the same, still running execution: a result read before a pause is read again.
      const ahead = await takeAhead<{ reads: Awaited<ReturnType<typeof checkReads>>; run: AbortSignal }>(
        grantsAheadKey(rc, conn),
      );
      const alongside = ahead?.ok && !ahead.value.run.aborted ? ahead.value.reads : null;
      if (alongside) ctx.log(`checked alongside the row counts of ${conn.database}`);
      const { checked, problems } = alongside ?? (await checkReads(conn, acl, { ...rc.bin, signal: ctx.signal }));
      const roles = [...new Set(acl.reads.map((r) => r.role))];
      if (problems.length > 0) {
        for (const p of problems.slice(0, 50)) ctx.log(`${p.role} cannot read ${p.table}: ${p.why}`, "stderr");
        if (problems.length > 50) ctx.log(`… and ${problems.length - 50} more`, "stderr");
        const first = problems
          .slice(0, 3)
          .map((p) => `${p.role} on ${p.table} (${p.why})`)
          .join("; ");
        throw new UserError(
          `owners and grants were not restored as they were: ${problems.length} of ${checked} table reads the backup grants fail in ${conn.database}: ${first}${problems.length > 3 ? " …" : ""}`,
          422,
        );
      }
      ctx.log(
        checked === 0
          ? "the backup grants no table reads: nothing to compare"
          : `${roles.length} role${roles.length === 1 ? "" : "s"} (${roles.join(", ")}) can read every table ${roles.length === 1 ? "it" : "they"} could read in the backup (${checked} table reads)${acl.readsDropped > 0 ? `; ${acl.readsDropped} more were not checked` : ""}`,
      );
      return { database: conn.database, checked, roles };
    },
  );
}
