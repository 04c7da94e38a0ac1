import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import { SCENARIOS, scenarioById, scenarioTitle } from "@/lib/scenarios/registry";
import { commandText } from "@/lib/scenarios/command-text";
import { runbookPlan } from "@/lib/restores/plans";
import {
  drillStatus,
  rtoOutcome,
  stepElapsedMs,
  stepState,
  totalElapsedMs,
  unfinishedSteps,
} from "@/lib/drills/stopwatch";
import { CREDITABLE_RUN_STATUSES, creditRun } from "@/lib/drills/run-credit";
import { formatDuration } from "@/lib/format/time";
import { parseStoredJson } from "@/lib/stored-json";
import { drillParticipantsSchema } from "@/lib/drills/states";

/** Drill.participants as the drill's scheduling wrote it (a JSON array of e-mails). */
function participantsOf(d: { participants: string }): string[] {
  return parseStoredJson(d.participants, drillParticipantsSchema, "drill's participants (Drill.participants)");
}

/**
 * Copies the measured times of ended restore runs launched from this drill onto the drill steps
 * with the same keys (see run-credit.ts), once per run.
 */
export async function refreshRunTimes(drillId: string) {
  const steps = await db.drillStep.findMany({
    where: { drillId },
    orderBy: { index: "asc" },
    include: { intervals: true },
  });
  for (const launcher of steps) {
    const runId = launcher.runId;
    if (!runId) continue;
    if (steps.some((s) => s.intervals.some((i) => i.runId === runId))) continue;
    // Credited before intervals named their run: the launching step holds the whole run.
    if (launcher.intervals.some((i) => i.source === "run" && i.runId === null)) continue;
    const run = await db.run.findUnique({ where: { id: runId }, include: { steps: { orderBy: { index: "asc" } } } });
    if (!run || !(CREDITABLE_RUN_STATUSES as readonly string[]).includes(run.status)) continue;
    const credits = creditRun(
      { id: run.id, status: run.status, steps: run.steps },
      steps.map((s) => ({ id: s.id, key: s.key, skipped: s.skippedAt !== null })),
      launcher.id,
    );
    const byId = new Map(steps.map((s) => [s.id, s]));
    await db.$transaction(
      credits.flatMap((c) => {
        const step = byId.get(c.stepId)!;
        const measured = c.measured
          .map((m) => `${m.title} ${formatDuration(m.ms / 1000)}${m.status === "succeeded" ? "" : ` (${m.status})`}`)
          .join("; ");
        return [
          // A stopwatch left running on a step the run measured is superseded by the run's time.
          db.drillInterval.deleteMany({ where: { stepId: step.id, endedAt: null } }),
          db.drillInterval.createMany({
            data: c.intervals.map((i) => ({
              stepId: step.id,
              startedAt: i.startedAt,
              endedAt: i.endedAt,
              source: "run",
              runId: run.id,
            })),
          }),
          db.drillStep.update({
            where: { id: step.id },
            data: {
              finishedAt: step.finishedAt ?? c.finishedAt,
              notes: `${step.notes ? `${step.notes}\n` : ""}Measured by restore run ${run.id} (${run.status}): ${measured}`,
            },
          }),
        ];
      }),
    );
  }
}

function rtoOf(
  database: { rtoCorruptionMinutes: number; rtoInfraLossMinutes: number; rtoDcFailureMinutes: number } | null,
  scenarioId: string,
): number | null {
  const scenario = scenarioById(scenarioId);
  return scenario && database ? database[scenario.meta.rto] : null;
}

export async function getDrill(id: string, now = new Date()) {
  await requireRole("viewer");
  await refreshRunTimes(id);
  const d = await db.drill.findUnique({
    where: { id },
    include: {
      database: true,
      steps: { orderBy: { index: "asc" }, include: { intervals: { orderBy: { startedAt: "asc" } } } },
      actions: { orderBy: { dueDate: "asc" } },
    },
  });
  if (!d) throw new NotFoundError("The drill");
  const clocks = d.steps.map((s) => ({
    id: s.id,
    title: s.title,
    finishedAt: s.finishedAt,
    skippedAt: s.skippedAt,
    intervals: s.intervals,
  }));
  const at = d.closedAt ?? now;
  const total = totalElapsedMs(clocks, at);
  const commands = new Map(
    scenarioById(d.scenarioId)
      ? runbookPlan(d.scenarioId, d.database).steps.map((p) => [p.key, commandText(p.kind, p.command)] as const)
      : [],
  );
  const rto = rtoOf(d.database, d.scenarioId);
  return {
    id: d.id,
    scenarioId: d.scenarioId,
    scenarioTitle: scenarioTitle(d.scenarioId),
    scenarioVersion: d.scenarioVersion,
    database: d.database ? { id: d.database.id, name: d.database.name, environment: d.database.environment } : null,
    scheduledAt: d.scheduledAt.toISOString(),
    participants: participantsOf(d),
    notes: d.notes,
    status: d.status,
    startedAt: d.startedAt?.toISOString() ?? null,
    closedAt: d.closedAt?.toISOString() ?? null,
    outcome: d.outcome,
    issues: d.issues,
    createdBy: d.createdBy,
    rtoMinutes: rto,
    totalMs: total,
    rto: rto === null ? null : rtoOutcome(total, rto),
    /** Steps neither finished nor skipped: while any remain, the drill cannot close as met. */
    unfinished: unfinishedSteps(clocks).map((c) => c.title),
    now: now.toISOString(),
    steps: d.steps.map((s, i) => ({
      id: s.id,
      index: s.index,
      key: s.key,
      title: s.title,
      kind: s.kind,
      notes: s.notes,
      skippedAt: s.skippedAt?.toISOString() ?? null,
      skippedBy: s.skippedBy,
      skipReason: s.skipReason,
      issues: s.issues,
      runId: s.runId,
      state: stepState(clocks[i]!),
      elapsedMs: stepElapsedMs(clocks[i]!, at),
      // The open interval's start, so the browser can tick between polls.
      runningSince: s.intervals.find((x) => x.endedAt === null)?.startedAt.toISOString() ?? null,
      fromRun: s.intervals.some((x) => x.source === "run"),
      // The scenario's command for this step with the drill database's names and migration commands.
      command: commands.get(s.key) ?? null,
    })),
    actions: d.actions.map((a) => ({
      id: a.id,
      text: a.text,
      owner: a.owner,
      dueDate: a.dueDate.toISOString(),
      done: a.done,
    })),
  };
}
export type DrillView = Awaited<ReturnType<typeof getDrill>>;

const DRILLS_PER_PAGE = 25;
/** Closed drills per scenario in its history chart: the newest, so the chart stays readable and the page fast with years of drills. */
export const DRILL_HISTORY_POINTS = 24;

// Only what a listed drill shows: its database's name and RTOs, each step's clock. (A page with
// its charts reads some 120 drills; whole rows of their steps and databases cost more than the SQL.)
const withClocks = {
  database: {
    select: { name: true, rtoCorruptionMinutes: true, rtoInfraLossMinutes: true, rtoDcFailureMinutes: true },
  },
  steps: {
    select: {
      id: true,
      title: true,
      finishedAt: true,
      skippedAt: true,
      intervals: { select: { startedAt: true, endedAt: true } },
    },
  },
} as const;

/** The Drills page: one page of drills (newest scheduled first), each scenario's status and recent history. */
export async function listDrills(opts: { page?: number } = {}) {
  await requireRole("viewer");
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const [total, listed, records, histories] = await Promise.all([
    db.drill.count(),
    db.drill.findMany({
      orderBy: [{ scheduledAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * DRILLS_PER_PAGE,
      take: DRILLS_PER_PAGE,
      include: withClocks,
    }),
    // The status needs every drill's version and outcome, not its steps.
    db.drill.findMany({ select: { scenarioId: true, scenarioVersion: true, status: true, outcome: true } }),
    Promise.all(
      SCENARIOS.map((s) =>
        db.drill.findMany({
          where: { scenarioId: s.id, status: "closed" },
          orderBy: [{ scheduledAt: "desc" }, { id: "desc" }],
          take: DRILL_HISTORY_POINTS,
          include: withClocks,
        }),
      ),
    ),
  ]);
  const row = (d: (typeof listed)[number]) => {
    const clocks = d.steps.map((s) => ({
      id: s.id,
      title: s.title,
      finishedAt: s.finishedAt,
      skippedAt: s.skippedAt,
      intervals: s.intervals,
    }));
    return {
      id: d.id,
      scenarioId: d.scenarioId,
      scenarioVersion: d.scenarioVersion,
      databaseName: d.database?.name ?? "—",
      scheduledAt: d.scheduledAt.toISOString(),
      status: d.status,
      outcome: d.outcome,
      participants: participantsOf(d),
      totalMs: totalElapsedMs(clocks, d.closedAt ?? new Date()),
      rtoMinutes: rtoOf(d.database, d.scenarioId),
      closedAt: d.closedAt?.toISOString() ?? null,
    };
  };
  const rows = listed.map(row);
  const scenarios = SCENARIOS.map((s, i) => ({
    id: s.id,
    title: s.meta.title,
    version: s.version,
    status: drillStatus(
      s.version,
      records.filter((d) => d.scenarioId === s.id),
    ),
    // Oldest first, as the chart reads left to right.
    history: histories[i]!.map(row).reverse(),
  }));
  const openActions = await db.drillAction.findMany({
    where: { done: false },
    orderBy: { dueDate: "asc" },
    include: { drill: { select: { id: true, scenarioId: true } } },
  });
  return {
    drills: rows,
    page,
    pageSize: DRILLS_PER_PAGE,
    total,
    pages: Math.max(1, Math.ceil(total / DRILLS_PER_PAGE)),
    scenarios,
    openActions: openActions.map((a) => ({
      id: a.id,
      text: a.text,
      owner: a.owner,
      dueDate: a.dueDate.toISOString(),
      drillId: a.drill.id,
      scenarioId: a.drill.scenarioId,
    })),
  };
}

/** Runbook drill status for the Runbooks page and the dashboard. */
export async function runbookDrillStatus() {
  await requireRole("viewer");
  const drills = await db.drill.findMany({
    select: { scenarioId: true, scenarioVersion: true, status: true, outcome: true },
  });
  return Object.fromEntries(
    SCENARIOS.map((s) => [
      s.id,
      drillStatus(
        s.version,
        drills.filter((d) => d.scenarioId === s.id),
      ),
    ]),
  );
}

export async function upcomingDrillsFor(email: string, now = new Date()) {
  await requireRole("viewer");
  const drills = await db.drill.findMany({
    where: { status: { not: "closed" }, scheduledAt: { gte: new Date(now.getTime() - 86_400_000) } },
    orderBy: { scheduledAt: "asc" },
    include: { database: { select: { name: true } } },
  });
  return drills
    .filter((d) => participantsOf(d).includes(email.toLowerCase()) || d.createdBy === email)
    .map((d) => ({
      id: d.id,
      scenarioTitle: scenarioTitle(d.scenarioId),
      scheduledAt: d.scheduledAt.toISOString(),
      databaseName: d.database?.name ?? "—",
      status: d.status,
    }));
}

/** iCalendar invitation ("inform the team"). */
export async function drillIcs(id: string) {
  const d = await getDrill(id);
  const stamp = (iso: string) => iso.replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const end = new Date(Date.parse(d.scheduledAt) + (d.rtoMinutes ?? 60) * 2 * 60_000).toISOString();
  const esc = (t: string) =>
    t.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Lifeboat//DR drill//EN",
    "METHOD:REQUEST",
    "BEGIN:VEVENT",
    `UID:drill-${d.id}@lifeboat`,
    `DTSTAMP:${stamp(new Date().toISOString())}`,
    `DTSTART:${stamp(d.scheduledAt)}`,
    `DTEND:${stamp(end)}`,
    `SUMMARY:${esc(`DR drill: ${d.scenarioTitle} (runbook v${d.scenarioVersion})`)}`,
    `DESCRIPTION:${esc(`Database: ${d.database?.name ?? "—"}. RTO ${d.rtoMinutes ?? "?"} min. ${d.notes}`)}`,
    ...d.participants.map((p) => `ATTENDEE;RSVP=TRUE:mailto:${p}`),
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

/** CSV of the drill's steps, for the report. */
export async function drillCsv(id: string) {
  const d = await getDrill(id);
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : s;
  };
  const lines = [
    ["step", "title", "kind", "state", "seconds", "from restore run", "skip reason", "notes", "issues"].join(","),
  ];
  for (const s of d.steps) {
    const skip = s.skippedAt ? `${s.skipReason} (skipped by ${s.skippedBy ?? "?"})` : "";
    lines.push(
      [
        s.index + 1,
        s.title,
        s.kind,
        s.state,
        Math.round(s.elapsedMs / 1000),
        s.fromRun ? "yes" : "no",
        skip,
        s.notes,
        s.issues,
      ]
        .map(cell)
        .join(","),
    );
  }
  lines.push(
    ["total", "", "", d.status, Math.round(d.totalMs / 1000), "", "", `RTO ${d.rtoMinutes ?? "?"} min`, d.outcome ?? ""]
      .map(cell)
      .join(","),
  );
  return lines.join("\r\n") + "\r\n";
}
