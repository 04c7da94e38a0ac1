import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/session";
import { hasRole } from "@/lib/auth/roles";
import { scenarioById } from "@/lib/scenarios/registry";
import { runbookPlan } from "@/lib/restores/plans";
import {
  apply,
  drillOutcome,
  refusal,
  skipRefusal,
  totalElapsedMs,
  unfinishedSteps,
  type StepClock,
} from "@/lib/drills/stopwatch";
import type {
  closeDrillSchema,
  scheduleDrillSchema,
  skipStepSchema,
  stepNotesSchema,
  stopwatchSchema,
} from "@/lib/drills/schemas";
import { refreshRunTimes } from "@/lib/drills/queries";

// Called only through lib/drills/commands.ts (operator role, audit event). Every
// time is the server's: the browser only says which button was pressed.

export async function scheduleDrill(input: z.output<typeof scheduleDrillSchema>, actor: SessionUser) {
  const scenario = scenarioById(input.scenarioId);
  if (!scenario) throw new UserError("Unknown scenario.");
  const database = await db.database.findUnique({ where: { id: input.databaseId } });
  if (!database) throw new NotFoundError("The database");
  if (database.environment === "production" && !(input.allowProduction && hasRole(actor.role, "admin"))) {
    throw new UserError(
      `${database.name} is a production database: a drill uses a staging or test database. Only an admin can allow production, explicitly.`,
      403,
    );
  }
  const drill = await db.drill.create({
    data: {
      scenarioId: scenario.id,
      scenarioVersion: scenario.version,
      databaseId: database.id,
      scheduledAt: new Date(input.scheduledAt.endsWith("Z") ? input.scheduledAt : `${input.scheduledAt}Z`),
      participants: JSON.stringify([...new Set(input.participants.map((p) => p.toLowerCase()))]),
      notes: input.notes,
      createdBy: actor.email,
      // The checklist is the scenario's plan for this database (same keys, titles, kinds and order as a run).
      steps: {
        create: runbookPlan(scenario.id, database).steps.map((s, index) => ({
          index,
          key: s.key,
          title: s.title,
          kind: s.kind,
        })),
      },
    },
  });
  return { drillId: drill.id, scenarioId: scenario.id, database: database.name };
}

async function clocks(drillId: string) {
  const steps = await db.drillStep.findMany({
    where: { drillId },
    orderBy: { index: "asc" },
    include: { intervals: { orderBy: { startedAt: "asc" } } },
  });
  return steps.map((s) => ({
    id: s.id,
    title: s.title,
    finishedAt: s.finishedAt,
    skippedAt: s.skippedAt,
    intervals: s.intervals,
    drillId: s.drillId,
  }));
}

export async function startDrill(input: { drillId: string }) {
  const drill = await db.drill.findUnique({ where: { id: input.drillId } });
  if (!drill) throw new NotFoundError("The drill");
  if (drill.status !== "scheduled") throw new UserError(`This drill is already ${drill.status}.`, 409);
  const scenario = scenarioById(drill.scenarioId);
  await db.drill.update({
    where: { id: drill.id },
    data: { status: "running", startedAt: new Date(), scenarioVersion: scenario?.version ?? drill.scenarioVersion },
  });
  return { drillId: drill.id };
}

export async function stopwatch(input: z.output<typeof stopwatchSchema>) {
  const step = await db.drillStep.findUnique({ where: { id: input.stepId }, include: { drill: true } });
  if (!step) throw new NotFoundError("The step");
  if (step.drill.status !== "running")
    throw new UserError(
      step.drill.status === "scheduled"
        ? "Start the drill first."
        : "This drill is closed; its times can no longer change.",
      409,
    );
  const now = new Date();
  return db.$transaction(async (tx) => {
    const steps = (await clocks(step.drillId)) as (StepClock & { drillId: string })[];
    const why = refusal(steps, step.id, input.action);
    if (why) throw new UserError(why, 409);
    const current = steps.find((s) => s.id === step.id)!;
    const next = apply(current, input.action, now);
    if (input.action === "start" || input.action === "resume")
      await tx.drillInterval.create({ data: { stepId: step.id, startedAt: now } });
    else await tx.drillInterval.updateMany({ where: { stepId: step.id, endedAt: null }, data: { endedAt: now } });
    if (next.finishedAt) await tx.drillStep.update({ where: { id: step.id }, data: { finishedAt: next.finishedAt } });
    return { stepId: step.id, action: input.action, at: now.toISOString(), drillId: step.drillId, step: step.title };
  });
}

export async function saveStepNotes(input: z.output<typeof stepNotesSchema>) {
  const step = await db.drillStep.findUnique({ where: { id: input.stepId }, include: { drill: true } });
  if (!step) throw new NotFoundError("The step");
  if (step.drill.status === "closed") throw new UserError("This drill is closed; its notes can no longer change.", 409);
  await db.drillStep.update({ where: { id: step.id }, data: { notes: input.notes, issues: input.issues } });
  return { stepId: step.id, drillId: step.drillId, step: step.title };
}

/** Closes the drill: the outcome is the measured total against the scenario's RTO. */
export async function closeDrill(input: z.output<typeof closeDrillSchema>) {
  const drill = await db.drill.findUnique({ where: { id: input.drillId }, include: { database: true } });
  if (!drill) throw new NotFoundError("The drill");
  if (drill.status !== "running")
    throw new UserError(drill.status === "closed" ? "This drill is already closed." : "Start the drill first.", 409);
  await refreshRunTimes(drill.id);
  const now = new Date();
  const steps = await clocks(drill.id);
  if (steps.some((s) => s.intervals.some((i) => i.endedAt === null)))
    throw new UserError("A step is still running: pause or finish it before closing the drill.", 409);
  const scenario = scenarioById(drill.scenarioId);
  const rto = scenario && drill.database ? drill.database[scenario.meta.rto] : null;
  const total = totalElapsedMs(steps, now);
  // Untouched steps make the drill "incomplete", never "met": skip a step with a reason instead.
  const outcome = drillOutcome(steps, total, rto);
  const unfinished = unfinishedSteps(steps).length;
  await db.drill.update({
    where: { id: drill.id },
    data: {
      status: "closed",
      closedAt: now,
      outcome,
      issues: input.issues,
      actions: {
        create: input.actions.map((a) => ({
          text: a.text,
          owner: a.owner,
          dueDate: new Date(`${a.dueDate}T00:00:00Z`),
        })),
      },
    },
  });
  return { drillId: drill.id, outcome, totalMs: total, rtoMinutes: rto, unfinished };
}

/** Skips a step on purpose, with the reason the report shows. A skipped step's time no longer changes. */
export async function skipStep(input: z.output<typeof skipStepSchema>, actor: SessionUser) {
  const step = await db.drillStep.findUnique({ where: { id: input.stepId }, include: { drill: true } });
  if (!step) throw new NotFoundError("The step");
  if (step.drill.status !== "running")
    throw new UserError(
      step.drill.status === "scheduled"
        ? "Start the drill first."
        : "This drill is closed; its steps can no longer change.",
      409,
    );
  const now = new Date();
  return db.$transaction(async (tx) => {
    const current = (await clocks(step.drillId)).find((s) => s.id === step.id)!;
    const why = skipRefusal(current, input.reason);
    if (why) throw new UserError(why, 409);
    const { count } = await tx.drillStep.updateMany({
      where: { id: step.id, skippedAt: null, finishedAt: null },
      data: { skippedAt: now, skippedBy: actor.email, skipReason: input.reason.trim() },
    });
    if (count !== 1) throw new UserError("Someone changed this step a moment ago. Reload the page.", 409);
    return { stepId: step.id, drillId: step.drillId, step: step.title, reason: input.reason.trim() };
  });
}

export async function toggleAction(input: { actionId: string }) {
  const a = await db.drillAction.findUnique({ where: { id: input.actionId } });
  if (!a) throw new NotFoundError("The action item");
  await db.drillAction.update({ where: { id: a.id }, data: { done: !a.done } });
  return { actionId: a.id, drillId: a.drillId, text: a.text, done: !a.done };
}

/** Links a restore run to a drill step; its measured duration becomes the step's time. */
export async function linkRunToStep(drillId: string, stepIndex: number, runId: string) {
  const step = await db.drillStep.findUnique({
    where: { drillId_index: { drillId, index: stepIndex } },
    include: { drill: true },
  });
  if (!step) throw new NotFoundError("The drill step");
  if (step.drill.status !== "running") throw new UserError("Start the drill before launching its restore run.", 409);
  await db.drillStep.update({ where: { id: step.id }, data: { runId } });
}
