import "server-only";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { z } from "zod";
import { parseStoredJson, parseStoredJsonOrNull } from "@/lib/stored-json";
import { parseStoredPlan, storedCommandSchema } from "@/lib/runner/plan";
import { lockTargetOf } from "@/lib/runner/lock";
import { redactUrlsIn } from "@/lib/format/url";
import { resultIsInline } from "@/lib/runner/step-results";
import {
  isActiveRun,
  isActiveStep,
  storedLogStream,
  storedRunStatus,
  storedStepKind,
  storedStepStatus,
} from "@/lib/runner/states";

// Read model for the run page and the run history: plain JSON-friendly objects (ISO dates,
// numbers). Server-side only and without authorization: callers check the role first.

const LOGS_PER_POLL = 1_000;
const RUNS_PER_PAGE = 25;

const iso = (d: Date | null) => d?.toISOString() ?? null;
const num = (b: bigint | null) => (b === null ? null : Number(b));

function elapsed(startedAt: Date | null, finishedAt: Date | null, now: number): number | null {
  if (!startedAt) return null;
  return Math.max(0, (finishedAt?.getTime() ?? now) - startedAt.getTime());
}

/**
 * One run with its steps and the log lines after `afterLogId` (the browser polls with the
 * `nextLogId` it got). Elapsed times: a running or waiting step counts up to now, a finished
 * one is finishedAt − startedAt; the run's total likewise.
 */
export async function getRunView(runId: string, opts: { afterLogId?: number } = {}) {
  const afterLogId = opts.afterLogId ?? 0;
  const [run, logs] = await Promise.all([
    db.run.findUnique({
      where: { id: runId },
      include: {
        steps: { orderBy: { index: "asc" } },
        database: { select: { name: true, environment: true } },
        lock: true,
      },
    }),
    db.runLog.findMany({ where: { runId, id: { gt: afterLogId } }, orderBy: { id: "asc" }, take: LOGS_PER_POLL + 1 }),
  ]);
  if (!run) throw new NotFoundError("The run");
  const now = Date.now();
  const plan = parseStoredPlan(run.plan);
  const page = logs.slice(0, LOGS_PER_POLL);
  const status = storedRunStatus(run.status);
  const active = isActiveRun(status);
  return {
    run: {
      id: run.id,
      scenarioId: run.scenarioId,
      scenarioVersion: run.scenarioVersion,
      databaseId: run.databaseId,
      databaseName: run.database.name,
      environment: run.database.environment,
      backupId: run.backupId,
      status,
      active,
      planHash: run.planHash,
      summary: plan.summary,
      // A health URL's password or token stays on the server (the runner reads the stored options).
      options: redactUrlsIn(parseStoredJson(run.options, z.unknown(), "run's options (Run.options)")),
      createdBy: run.createdBy,
      createdAt: run.createdAt.toISOString(),
      confirmedBy: run.confirmedBy,
      confirmedAt: iso(run.confirmedAt),
      startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt),
      elapsedMs: elapsed(run.startedAt, active ? null : run.finishedAt, now),
      verdict: run.verdict,
      cancelRequested: run.cancelRequested,
      holdsDatabase: run.lock !== null,
      leaseOwner: run.leaseOwner,
      leaseExpiresAt: iso(run.leaseExpiresAt),
      /** What the clean-up of its download and scratch database did (null until the run ended and was cleaned up). */
      cleanup: {
        cleanedUpAt: iso(run.cleanedUpAt),
        note: run.cleanupNote,
        keepScratch: run.keepScratch,
        scratchDroppedAt: iso(run.scratchDroppedAt),
      },
    },
    steps: run.steps.map((s) => {
      const stepStatus = storedStepStatus(s.status);
      const stepActive = isActiveStep(stepStatus);
      return {
        index: s.index,
        key: s.key,
        title: s.title,
        kind: storedStepKind(s.kind),
        description: plan.steps[s.index]?.description ?? "",
        command: parseStoredJsonOrNull(
          s.command,
          storedCommandSchema,
          `command of step ${s.index + 1} (RunStep.command)`,
        ),
        status: stepStatus,
        startedAt: iso(s.startedAt),
        finishedAt: iso(s.finishedAt),
        elapsedMs: elapsed(s.startedAt, stepActive ? null : s.finishedAt, now),
        bytesDone: num(s.bytesDone),
        bytesTotal: num(s.bytesTotal),
        note: s.note,
        completedBy: s.completedBy,
        // A big result (a long table list, a large preview) is not sent on every poll: the
        // page fetches it on demand (lib/runner/step-results.ts).
        result: resultIsInline(s.result)
          ? parseStoredJsonOrNull(s.result, z.unknown(), `result of step ${s.index + 1} (RunStep.result)`)
          : null,
        resultDeferred: !resultIsInline(s.result),
        resultBytes: s.result?.length ?? 0,
        error: s.error,
      };
    }),
    logs: page.map((l) => ({
      id: l.id,
      stepIndex: l.stepIndex,
      at: l.at.toISOString(),
      stream: storedLogStream(l.stream),
      text: l.text,
    })),
    nextLogId: page.at(-1)?.id ?? afterLogId,
    moreLogs: logs.length > LOGS_PER_POLL,
    now: new Date(now).toISOString(),
  };
}
export type RunView = Awaited<ReturnType<typeof getRunView>>;

/**
 * The run holding the entry's server database (active, or interrupted and not yet resumed or
 * cancelled), whichever Lifeboat entry pointing at that database started it; or null.
 */
export async function activeRunFor(databaseId: string) {
  const target = await lockTargetOf(db, databaseId);
  if (target === null) return null;
  const lock = await db.runLock.findUnique({
    where: { target },
    include: { run: { select: { id: true, status: true, scenarioId: true, confirmedBy: true, startedAt: true } } },
  });
  if (!lock) return null;
  return {
    runId: lock.run.id,
    /** The Lifeboat entry whose run it is (another entry may point at the same database). */
    databaseId: lock.databaseId,
    status: storedRunStatus(lock.run.status),
    scenarioId: lock.run.scenarioId,
    holder: lock.holder,
    acquiredAt: lock.acquiredAt.toISOString(),
    startedAt: iso(lock.run.startedAt),
  };
}
export type ActiveRun = NonNullable<Awaited<ReturnType<typeof activeRunFor>>>;

/** Run history, newest first, optionally for one database. */
export async function listRuns(opts: { page?: number; databaseId?: string } = {}) {
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const where = opts.databaseId ? { databaseId: opts.databaseId } : {};
  const [total, runs] = await Promise.all([
    db.run.count({ where }),
    db.run.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * RUNS_PER_PAGE,
      take: RUNS_PER_PAGE,
      include: { database: { select: { name: true } } },
    }),
  ]);
  const now = Date.now();
  return {
    page,
    pageSize: RUNS_PER_PAGE,
    total,
    pages: Math.max(1, Math.ceil(total / RUNS_PER_PAGE)),
    runs: runs.map((r) => {
      const status = storedRunStatus(r.status);
      return {
        id: r.id,
        scenarioId: r.scenarioId,
        scenarioVersion: r.scenarioVersion,
        databaseId: r.databaseId,
        databaseName: r.database.name,
        status,
        createdBy: r.createdBy,
        createdAt: r.createdAt.toISOString(),
        confirmedBy: r.confirmedBy,
        confirmedAt: iso(r.confirmedAt),
        startedAt: iso(r.startedAt),
        finishedAt: iso(r.finishedAt),
        elapsedMs: elapsed(r.startedAt, isActiveRun(status) ? null : r.finishedAt, now),
        verdict: r.verdict,
      };
    }),
  };
}
export type RunList = Awaited<ReturnType<typeof listRuns>>;
