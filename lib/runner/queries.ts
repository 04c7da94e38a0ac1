import "server-only";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { parseStoredPlan } from "@/lib/runner/plan";

// Read model for the run page and the run history: plain JSON-friendly objects (ISO dates,
// numbers). Server-side only and without authorization: callers check the role first.

const LOGS_PER_POLL = 1_000;
const RUNS_PER_PAGE = 25;
const ACTIVE = new Set(["queued", "running", "waiting"]);

const iso = (d: Date | null) => d?.toISOString() ?? null;
const num = (b: bigint | null) => (b === null ? null : Number(b));

function elapsed(startedAt: Date | null, finishedAt: Date | null, now: number): number | null {
  if (!startedAt) return null;
  return Math.max(0, (finishedAt?.getTime() ?? now) - startedAt.getTime());
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
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
      include: { steps: { orderBy: { index: "asc" } }, database: { select: { name: true, environment: true } }, lock: true },
    }),
    db.runLog.findMany({ where: { runId, id: { gt: afterLogId } }, orderBy: { id: "asc" }, take: LOGS_PER_POLL + 1 }),
  ]);
  if (!run) throw new NotFoundError("The run");
  const now = Date.now();
  const plan = parseStoredPlan(run.plan);
  const page = logs.slice(0, LOGS_PER_POLL);
  const active = ACTIVE.has(run.status);
  return {
    run: {
      id: run.id,
      scenarioId: run.scenarioId,
      scenarioVersion: run.scenarioVersion,
      databaseId: run.databaseId,
      databaseName: run.database.name,
      environment: run.database.environment,
      backupId: run.backupId,
      status: run.status,
      active,
      planHash: run.planHash,
      summary: plan.summary,
      options: parseJson(run.options),
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
    },
    steps: run.steps.map((s) => {
      const stepActive = s.status === "running" || s.status === "waiting";
      return {
        index: s.index,
        key: s.key,
        title: s.title,
        kind: s.kind,
        description: plan.steps[s.index]?.description ?? "",
        command: parseJson(s.command) as string[] | null,
        status: s.status,
        startedAt: iso(s.startedAt),
        finishedAt: iso(s.finishedAt),
        elapsedMs: elapsed(s.startedAt, stepActive ? null : s.finishedAt, now),
        bytesDone: num(s.bytesDone),
        bytesTotal: num(s.bytesTotal),
        note: s.note,
        completedBy: s.completedBy,
        result: parseJson(s.result),
        error: s.error,
      };
    }),
    logs: page.map((l) => ({ id: l.id, stepIndex: l.stepIndex, at: l.at.toISOString(), stream: l.stream, text: l.text })),
    nextLogId: page.at(-1)?.id ?? afterLogId,
    moreLogs: logs.length > LOGS_PER_POLL,
    now: new Date(now).toISOString(),
  };
}
export type RunView = Awaited<ReturnType<typeof getRunView>>;

/** The run holding the database (active, or interrupted and not yet resumed or cancelled), or null. */
export async function activeRunFor(databaseId: string) {
  const lock = await db.runLock.findUnique({
    where: { databaseId },
    include: { run: { select: { id: true, status: true, scenarioId: true, confirmedBy: true, startedAt: true } } },
  });
  if (!lock) return null;
  return {
    runId: lock.run.id,
    status: lock.run.status,
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
    runs: runs.map((r) => ({
      id: r.id,
      scenarioId: r.scenarioId,
      scenarioVersion: r.scenarioVersion,
      databaseId: r.databaseId,
      databaseName: r.database.name,
      status: r.status,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      confirmedBy: r.confirmedBy,
      confirmedAt: iso(r.confirmedAt),
      startedAt: iso(r.startedAt),
      finishedAt: iso(r.finishedAt),
      elapsedMs: elapsed(r.startedAt, ACTIVE.has(r.status) ? null : r.finishedAt, now),
      verdict: r.verdict,
    })),
  };
}
export type RunList = Awaited<ReturnType<typeof listRuns>>;
