import path from "node:path";
import { z } from "zod";
import { UserError } from "@/lib/errors";
import { pgDumpArgs, type Argv } from "@/lib/postgres/commands";
import { describeServer, type PgConnection } from "@/lib/postgres/connection";
import { runPgTool, serverVersion, tableRowCounts } from "@/lib/postgres/run";
import { stepResult } from "@/lib/runner/results";
import type { PlannedStep, StepContext } from "@/lib/runner/types";
import {
  keepRecoveryInstance,
  recoveryConnection,
  removeRecoveryInstance,
  startRecoveryInstance,
  stopRecoveryInstance,
} from "@/lib/pitr/recovery";
import { checkRecoveryDiskFor } from "@/lib/pitr/recovery-disk";
import { pgbackrestTargetArgs, recoveryTargetSchema } from "@/lib/pitr/recovery-target";
import { db } from "@/lib/db";
import { describeSession, sessionsOn } from "./database-admin";
import { bytesText, freeBytes, prepareWorkDir } from "./files";
import { targetText, utcText, type PitrSource } from "./pitr-source";
import { currentWindowProblem } from "./pitr-window";
import { automatic, untouchedNote, type RestoreContext, type RowSource } from "./steps";

// The steps of a point-in-time restore (the scenario plans in lib/scenarios/ order them):
// pgBackRest restores the chosen base backup into a new data directory and PostgreSQL
// replays the archived WAL up to the moment in a recovery instance on a free 127.0.0.1 port
// (lib/pitr/recovery.ts); then the existing tools take over: rows are copied back from the
// recovery instance (deletion), or the recovered database is dumped and goes through the
// scratch → confirm → switch-over path (corruption, failed migration). Production is not
// touched until the same confirmations as a restore from a dump.

function pitrOf(rc: RestoreContext): PitrSource {
  if (!rc.pitr) throw new Error("a point-in-time step in a plan without a WAL archive");
  return rc.pitr;
}

/** restore-to-moment: the recovery instance that reached the target. */
export const recoveryInstanceResult = stepResult(
  "restore-to-moment",
  z.object({ instanceId: z.string(), port: z.number(), dataDir: z.string() }),
);

/** The argv shown for the restore (the run passes the plan's base backup with --set). */
export function pitrRestoreCommand(pitr: Pick<PitrSource, "stanza" | "target" | "baseBackup">): Argv {
  const valid = recoveryTargetSchema.safeParse(pitr.target).success;
  // A runbook's moment is a placeholder.
  const target = valid
    ? pgbackrestTargetArgs(pitr.target)
    : pitr.target.kind === "time"
      ? ["--type=time", `--target=${pitr.target.at}`]
      : [`--type=${pitr.target.kind}`];
  return [
    "pgbackrest",
    `--stanza=${pitr.stanza}`,
    `--set=${pitr.baseBackup.label}`,
    ...target,
    "--target-action=promote",
    "--pg1-path=<new data directory on the recovery host>",
    "restore",
  ];
}

function baseBackupWords(pitr: PitrSource): string {
  const b = pitr.baseBackup;
  return `base backup ${b.label} (${b.type}${b.stoppedAt ? `, ended ${utcText(b.stoppedAt)}` : ""})`;
}

/** Facts before anything starts: production reachable, the archive still covers the moment, disk. */
export function pitrPreflightStep(rc: RestoreContext, then: "copy-back" | "switch-over"): PlannedStep {
  const pitr = pitrOf(rc);
  return automatic(
    rc,
    {
      key: "preflight",
      title: "Preflight: target, WAL archive, disk",
      description: `Checks that ${rc.database} on ${describeServer(rc.server)} is reachable, that the WAL archive (stanza ${pitr.stanza}) still has ${baseBackupWords(pitr)} and covers ${targetText(pitr.target, pitr.baseBackup.label)}, that the recovery folder's disk can hold the restored base backup${then === "switch-over" ? ", who is connected, and the free disk for the dump" : ""}. Changes nothing.`,
    },
    untouchedNote(rc.target),
    async (ctx) => {
      const opts = { ...rc.bin, signal: ctx.signal };
      const facts: Record<string, unknown> = {};
      facts.serverVersion = await serverVersion(rc.target.conn, opts);
      ctx.log(`${rc.database} on ${describeServer(rc.server)} is reachable: PostgreSQL ${String(facts.serverVersion)}`);
      const problem = await currentWindowProblem(pitr);
      if (problem.refusal) throw new UserError(problem.refusal, 409);
      facts.newestRecoverable = problem.newestRecoverable;
      ctx.log(
        `the archive still has ${baseBackupWords(pitr)}; newest recoverable moment now: ${problem.newestRecoverable ? utcText(problem.newestRecoverable) : "unknown"}`,
      );
      // Before confirming, and again before the restore: the recovery folder's disk must hold it.
      const disk = await checkRecoveryDiskFor(pitr.databaseId, pitr.baseBackup.label, { signal: ctx.signal });
      facts.recoveryDisk = { neededBytes: disk.neededBytes, freeBytes: disk.freeBytes, dir: disk.dir };
      if (!disk.ok) throw new UserError(disk.message, 409);
      ctx.log(disk.message);
      if (then === "switch-over") {
        const sessions = await sessionsOn(rc.target.conn, rc.database, opts);
        facts.sessions = sessions.length;
        ctx.log(
          sessions.length === 0
            ? `nobody else is connected to ${rc.database}`
            : `${sessions.length} session${sessions.length === 1 ? "" : "s"} connected to ${rc.database} (the switch-over will end them):`,
        );
        for (const s of sessions.slice(0, 20)) ctx.log(`  ${describeSession(s)}`);
        // Read-only: the folder is made by the dump step, not when the plan is made.
        const free = await freeBytes(rc.workDir);
        facts.freeBytes = free;
        ctx.log(`free disk for the dump of the recovered database in ${path.dirname(rc.workDir)}: ${bytesText(free)}`);
      }
      return facts;
    },
  );
}

/** Starts (or, on a resume, finds) the recovery instance at the moment. */
export function restoreToMomentStep(rc: RestoreContext): PlannedStep {
  const pitr = pitrOf(rc);
  const moment = targetText(pitr.target, pitr.baseBackup.label);
  return automatic(
    rc,
    {
      key: "restore-to-moment",
      title: `Restore to ${moment} in a recovery instance`,
      command: pitrRestoreCommand(pitr),
      description: `pgBackRest restores ${baseBackupWords(pitr)} into a new data directory on the recovery host; a recovery instance of PostgreSQL then starts on a free 127.0.0.1 port and replays the archived WAL up to ${moment} (recovery_target_action=promote). ${rc.database} is not touched.`,
    },
    untouchedNote(rc.target),
    async (ctx) => {
      // A resumed run says what an earlier attempt left before it reuses or replaces it.
      const earlier = await db.recoveryInstance.findMany({
        where: { runId: ctx.runId, status: { not: "removed" } },
        select: { port: true, status: true, note: true },
      });
      for (const e of earlier)
        ctx.log(
          `an earlier attempt of this run left a recovery instance on 127.0.0.1:${e.port} (${e.status})${e.note ? `: ${e.note}` : ""}`,
        );
      const t0 = Date.now();
      const started = await startRecoveryInstance({
        databaseId: pitr.databaseId,
        runId: ctx.runId,
        target: pitr.target,
        baseBackupLabel: pitr.baseBackup.label,
        signal: ctx.signal,
        onLog: (stream, line) => ctx.log(line, stream),
      });
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      ctx.log(`the recovery instance reached ${moment} and was promoted in ${seconds} s (127.0.0.1:${started.port})`);
      return {
        instanceId: started.instanceId,
        port: started.port,
        dataDir: started.dataDir,
        seconds: Number(seconds),
        verdict: `Recovered to ${moment} in ${seconds} s on 127.0.0.1:${started.port}.`,
      };
    },
  );
}

/**
 * The run's recovery instance, ready. After a console restart it may have stopped: then it is
 * restored again to the same moment from the same base backup (the log says so), so a resumed
 * run reads exactly what the plan named.
 */
async function readyInstance(rc: RestoreContext, ctx: StepContext): Promise<{ instanceId: string; port: number }> {
  const pitr = pitrOf(rc);
  const prior = recoveryInstanceResult.of(ctx);
  const row = await db.recoveryInstance.findUnique({ where: { id: prior.instanceId }, select: { status: true } });
  if (row?.status === "ready") return prior;
  ctx.log(
    `the recovery instance this run started (127.0.0.1:${prior.port}) is ${row ? row.status : "no longer listed"}: restoring again to ${targetText(pitr.target, pitr.baseBackup.label)} from base backup ${pitr.baseBackup.label}`,
    "stderr",
  );
  return startRecoveryInstance({
    databaseId: pitr.databaseId,
    runId: ctx.runId,
    target: pitr.target,
    baseBackupLabel: pitr.baseBackup.label,
    signal: ctx.signal,
    onLog: (stream, line) => ctx.log(line, stream),
  });
}

/** The recovered database in the recovery instance, for the copy-back's preview and copy. */
export function recoverySource(rc: RestoreContext): RowSource {
  return {
    name: "the recovery instance",
    connect: async (ctx: StepContext): Promise<PgConnection> =>
      recoveryConnection((await readyInstance(rc, ctx)).instanceId, rc.database),
  };
}

/** pg_dump -Fc of the recovered database, for the scratch → switch-over path. */
export function dumpRecoveredStep(rc: RestoreContext): PlannedStep {
  return automatic(
    rc,
    {
      key: "dump-recovered",
      title: "Dump the recovered database",
      command: pgDumpArgs({ format: "custom", database: rc.database, file: rc.file, binDir: rc.bin.binDir }),
      description: `pg_dump -Fc of ${rc.database} from the recovery instance into a private file in ${rc.workDir}, and its row counts, table by table: the scratch copy must match them.`,
    },
    untouchedNote(rc.target),
    async (ctx) => {
      const conn = await recoveryConnection((await readyInstance(rc, ctx)).instanceId, rc.database);
      await prepareWorkDir(rc.workDir);
      const t0 = Date.now();
      await runPgTool(
        "pg_dump",
        conn,
        pgDumpArgs({ format: "custom", database: rc.database, file: rc.file, binDir: rc.bin.binDir }),
        { ...rc.bin, signal: ctx.signal },
      );
      const tables = await tableRowCounts(conn, { ...rc.bin, signal: ctx.signal });
      const rows = tables.reduce((n, t) => n + t.rows, 0);
      ctx.log(
        `dumped ${rc.database} (${tables.length} tables, ${rows.toLocaleString("en-US")} rows) in ${((Date.now() - t0) / 1000).toFixed(1)} s to ${rc.file}`,
      );
      return { file: rc.file, tables, rows };
    },
  );
}

/** Stops and removes the recovery instance, or keeps it for inspection when the plan says so. */
export function stopRecoveryStep(rc: RestoreContext): PlannedStep {
  const pitr = pitrOf(rc);
  return automatic(
    rc,
    {
      key: "stop-recovery",
      title: "Stop and remove the recovery instance",
      description:
        pitr.keepHours > 0
          ? `Keeps the recovery instance running for ${pitr.keepHours} hour${pitr.keepHours === 1 ? "" : "s"} for inspection (its address is shown on this page to operators), then it is stopped and its data directory removed.`
          : "Stops the recovery instance and removes its data directory. To keep it for inspection, ask for that when planning the restore.",
    },
    null,
    async (ctx) => {
      // Every instance of this run (a resumed run may have started a second one).
      const rows = await db.recoveryInstance.findMany({
        where: { runId: ctx.runId, status: { not: "removed" } },
        orderBy: { createdAt: "desc" },
        select: { id: true, port: true, status: true, dataDir: true },
      });
      if (rows.length === 0) {
        ctx.log("no recovery instance of this run is left: nothing to stop");
        return { removed: false, kept: false };
      }
      const keep = pitr.keepHours > 0 ? rows.find((r) => r.status === "ready") : undefined;
      for (const r of rows) {
        if (r === keep) continue;
        await stopRecoveryInstance(r.id);
        await removeRecoveryInstance(r.id);
        ctx.log(`stopped the recovery instance on 127.0.0.1:${r.port} and removed ${r.dataDir}`);
      }
      if (keep) {
        const { keepUntil: until } = await keepRecoveryInstance(keep.id, pitr.keepHours);
        ctx.log(
          `the recovery instance stays on 127.0.0.1:${keep.port} until ${utcText(until)} (database ${rc.database}, user ${rc.target.conn.user}, the production user's password); it is listed with the database's WAL archive and can be removed there earlier`,
        );
        return {
          kept: true,
          keepUntil: until.toISOString(),
          // No verdict: the run's stays the copy-back's or the switch-over's; the run page shows the kept instance.
          port: keep.port,
        };
      }
      return { kept: false, removed: true };
    },
  );
}
