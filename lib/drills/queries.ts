import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { NotFoundError } from "@/lib/errors";
import { SCENARIOS, scenarioById, scenarioTitle } from "@/lib/scenarios/registry";
import { commandText } from "@/lib/scenarios/command-text";
import { runbookPlan } from "@/lib/restores/plans";
import { drillStatus, rtoOutcome, stepElapsedMs, stepState, totalElapsedMs, unfinishedSteps } from "@/lib/drills/stopwatch";
import { CREDITABLE_RUN_STATUSES, creditRun } from "@/lib/drills/run-credit";
import { formatDuration } from "@/lib/format/time";

/** Copies finished restore runs' measured times onto the drill steps that launched them. */
export async function refreshRunTimes(drillId: string) {
  const steps = await db.drillStep.findMany({ where: { drillId, runId: { not: null } }, include: { intervals: true } });
  for (const step of steps) {
    if (step.intervals.some((i) => i.source === "run")) continue;
    const run = await db.run.findUnique({ where: { id: step.runId! }, include: { steps: { orderBy: { index: "asc" } } } });
    if (!run?.startedAt || !run.finishedAt || !["succeeded", "failed", "cancelled"].includes(run.status)) continue;
    const breakdown = run.steps
      .filter((s) => s.startedAt && s.finishedAt)
      .map((s) => `${s.title} ${formatDuration((s.finishedAt!.getTime() - s.startedAt!.getTime()) / 1000)}`)
      .join("; ");
    await db.$transaction([
      db.drillInterval.deleteMany({ where: { stepId: step.id, endedAt: null } }),
      db.drillInterval.create({ data: { stepId: step.id, startedAt: run.startedAt, endedAt: run.finishedAt, source: "run" } }),
      db.drillStep.update({
        where: { id: step.id },
        data: { finishedAt: step.finishedAt ?? run.finishedAt, notes: `${step.notes ? `${step.notes}\n` : ""}Restore run ${run.id} (${run.status}), measured: ${breakdown}` },
      }),
    ]);
  }
}

function rtoOf(database: { rtoCorruptionMinutes: number; rtoInfraLossMinutes: number; rtoDcFailureMinutes: number } | null, scenarioId: string): number | null {
  const scenario = scenarioById(scenarioId);
  return scenario && database ? database[scenario.meta.rto] : null;
}

export async function getDrill(id: string, now = new Date()) {
  await requireRole("viewer");
  await refreshRunTimes(id);
  const d = await db.drill.findUnique({
    where: { id },
    include: { database: true, steps: { orderBy: { index: "asc" }, include: { intervals: { orderBy: { startedAt: "asc" } } } }, actions: { orderBy: { dueDate: "asc" } } },
  });
  if (!d) throw new NotFoundError("The drill");
  const clocks = d.steps.map((s) => ({ id: s.id, title: s.title, finishedAt: s.finishedAt, intervals: s.intervals }));
  const at = d.closedAt ?? now;
  const total = totalElapsedMs(clocks, at);
  const rto = rtoOf(d.database, d.scenarioId);
  return {
    id: d.id,
    scenarioId: d.scenarioId,
    scenarioTitle: scenarioTitle(d.scenarioId),
    scenarioVersion: d.scenarioVersion,
    database: d.database ? { id: d.database.id, name: d.database.name, environment: d.database.environment } : null,
    scheduledAt: d.scheduledAt.toISOString(),
    participants: JSON.parse(d.participants) as string[],
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
    now: now.toISOString(),
    steps: d.steps.map((s, i) => ({
      id: s.id,
      index: s.index,
  const commands = new Map(
    scenarioById(d.scenarioId) ? runbookPlan(d.scenarioId, d.database).steps.map((p) => [p.key, commandText(p.kind, p.command)] as const) : [],
  );
      title: s.title,
      kind: s.kind,
      notes: s.notes,
      issues: s.issues,
      runId: s.runId,
      state: stepState(clocks[i]!),
      elapsedMs: stepElapsedMs(clocks[i]!, at),
      // The open interval's start, so the browser can tick between polls.
      runningSince: s.intervals.find((x) => x.endedAt === null)?.startedAt.toISOString() ?? null,
      fromRun: s.intervals.some((x) => x.source === "run"),
    })),
    actions: d.actions.map((a) => ({ id: a.id, text: a.text, owner: a.owner, dueDate: a.dueDate.toISOString(), done: a.done })),
  };
}
export type DrillView = Awaited<ReturnType<typeof getDrill>>;

export async function listDrills() {
  await requireRole("viewer");
  const drills = await db.drill.findMany({ orderBy: { scheduledAt: "desc" }, include: { database: true, steps: { include: { intervals: true } } } });
  const rows = drills.map((d) => {
    const clocks = d.steps.map((s) => ({ id: s.id, title: s.title, finishedAt: s.finishedAt, intervals: s.intervals }));
    return {
      id: d.id,
      scenarioId: d.scenarioId,
      scenarioVersion: d.scenarioVersion,
      databaseName: d.database?.name ?? "—",
      scheduledAt: d.scheduledAt.toISOString(),
      status: d.status,
      outcome: d.outcome,
      participants: JSON.parse(d.participants) as string[],
      totalMs: totalElapsedMs(clocks, d.closedAt ?? new Date()),
      rtoMinutes: rtoOf(d.database, d.scenarioId),
      closedAt: d.closedAt?.toISOString() ?? null,
    };
  });
  const scenarios = SCENARIOS.map((s) => ({
    id: s.id,
    title: s.meta.title,
    version: s.version,
      // The scenario's command for this step with the drill database's names and migration commands.
      command: commands.get(s.key) ?? null,
    status: drillStatus(s.version, drills.filter((d) => d.scenarioId === s.id)),
    history: rows.filter((r) => r.scenarioId === s.id && r.status === "closed").reverse(),
  }));
  const openActions = await db.drillAction.findMany({ where: { done: false }, orderBy: { dueDate: "asc" }, include: { drill: { select: { id: true, scenarioId: true } } } });
  return { drills: rows, scenarios, openActions: openActions.map((a) => ({ id: a.id, text: a.text, owner: a.owner, dueDate: a.dueDate.toISOString(), drillId: a.drill.id, scenarioId: a.drill.scenarioId })) };
}

/** Runbook drill status for the Runbooks page and the dashboard. */
export async function runbookDrillStatus() {
  await requireRole("viewer");
  const drills = await db.drill.findMany({ select: { scenarioId: true, scenarioVersion: true, status: true, outcome: true } });
  return Object.fromEntries(SCENARIOS.map((s) => [s.id, drillStatus(s.version, drills.filter((d) => d.scenarioId === s.id))]));
}

export async function upcomingDrillsFor(email: string, now = new Date()) {
  await requireRole("viewer");
  const drills = await db.drill.findMany({ where: { status: { not: "closed" }, scheduledAt: { gte: new Date(now.getTime() - 86_400_000) } }, orderBy: { scheduledAt: "asc" }, include: { database: { select: { name: true } } } });
  return drills
    .filter((d) => (JSON.parse(d.participants) as string[]).includes(email.toLowerCase()) || d.createdBy === email)
    .map((d) => ({ id: d.id, scenarioTitle: scenarioTitle(d.scenarioId), scheduledAt: d.scheduledAt.toISOString(), databaseName: d.database?.name ?? "—", status: d.status }));
}

/** iCalendar invitation ("inform the team"). */
export async function drillIcs(id: string) {
  const d = await getDrill(id);
  const stamp = (iso: string) => iso.replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const end = new Date(Date.parse(d.scheduledAt) + (d.rtoMinutes ?? 60) * 2 * 60_000).toISOString();
  const esc = (t: string) => t.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lifeboat//DR drill//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
    `UID:drill-${d.id}@lifeboat`, `DTSTAMP:${stamp(new Date().toISOString())}`, `DTSTART:${stamp(d.scheduledAt)}`, `DTEND:${stamp(end)}`,
    `SUMMARY:${esc(`DR drill: ${d.scenarioTitle} (runbook v${d.scenarioVersion})`)}`,
    `DESCRIPTION:${esc(`Database: ${d.database?.name ?? "—"}. RTO ${d.rtoMinutes ?? "?"} min. ${d.notes}`)}`,
    ...d.participants.map((p) => `ATTENDEE;RSVP=TRUE:mailto:${p}`),
    "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
}

/** CSV of the drill's steps, for the report. */
export async function drillCsv(id: string) {
  const d = await getDrill(id);
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : s;
  };
  const lines = [["step", "title", "kind", "state", "seconds", "from restore run", "notes", "issues"].join(",")];
  for (const s of d.steps) lines.push([s.index + 1, s.title, s.kind, s.state, Math.round(s.elapsedMs / 1000), s.fromRun ? "yes" : "no", s.notes, s.issues].map(cell).join(","));
  lines.push(["total", "", "", d.status, Math.round(d.totalMs / 1000), "", `RTO ${d.rtoMinutes ?? "?"} min`, d.outcome ?? ""].map(cell).join(","));
  return lines.join("\r\n") + "\r\n";
}
