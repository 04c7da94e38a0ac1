import { expect, test } from "vitest";
import { db } from "@/lib/db";
import { closeDrill, skipStep } from "@/lib/drills/mutations";
import { refreshRunTimes } from "@/lib/drills/queries";
import { stepElapsedMs } from "@/lib/drills/stopwatch";

// Drill steps and restore runs in Lifeboat's own database.
const actor = { id: "u", email: "t@example.test", name: "T", role: "operator" as const };
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s));

async function database(name: string) {
  return db.database.create({
    data: {
      name: `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
      environment: "test",
      host: "127.0.0.1",
      dbName: "x",
      user: "x",
      rtoCorruptionMinutes: 15,
    },
  });
}

test("a launched run lends each step's measured time to the drill step with its key, once", async () => {
  const d = await database("drill-keys");
  const drill = await db.drill.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: d.id,
      scheduledAt: new Date(),
      status: "running",
      createdBy: actor.email,
      steps: {
        create: [
          { index: 0, key: "preflight", title: "Preflight", kind: "automatic" },
          { index: 1, key: "download", title: "Download", kind: "automatic" },
          { index: 2, key: "run-migrations", title: "Migrations", kind: "manual" },
        ],
      },
    },
    include: { steps: { orderBy: { index: "asc" } } },
  });
  const run = await db.run.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: d.id,
      status: "succeeded",
      plan: "{}",
      planHash: "h",
      createdBy: actor.email,
      startedAt: at(0),
      finishedAt: at(187),
      steps: {
        create: [
          {
            index: 0,
            key: "preflight",
            title: "Preflight",
            kind: "automatic",
            status: "succeeded",
            startedAt: at(0),
            finishedAt: at(3),
          },
          {
            index: 1,
            key: "download",
            title: "Download the backup",
            kind: "automatic",
            status: "succeeded",
            startedAt: at(3),
            finishedAt: at(10),
          },
          {
            index: 2,
            key: "remove-download",
            title: "Remove the download",
            kind: "automatic",
            status: "succeeded",
            startedAt: at(185),
            finishedAt: at(186),
          },
        ],
      },
    },
  });
  await db.drillStep.update({ where: { id: drill.steps[0]!.id }, data: { runId: run.id } });

  await refreshRunTimes(drill.id);
  await refreshRunTimes(drill.id);
  const steps = await db.drillStep.findMany({
    where: { drillId: drill.id },
    orderBy: { index: "asc" },
    include: { intervals: true },
  });
  const seconds = steps.map(
    (s) =>
      stepElapsedMs({ id: s.id, title: s.title, finishedAt: s.finishedAt, intervals: s.intervals }, new Date()) / 1000,
  );
  // Preflight 3 s plus the unmatched clean-up step's 1 s; download 7 s; the manual step was not in the run.
  expect(seconds).toEqual([4, 7, 0]);
  expect(steps.map((s) => s.finishedAt)).toEqual([at(186), at(10), null]);
  expect(steps[1]!.intervals.every((i) => i.source === "run" && i.runId === run.id)).toBe(true);
  expect(steps[1]!.notes).toContain(`Measured by restore run ${run.id} (succeeded): Download the backup 0:07`);
});

test("a run still going leaves the steps alone", async () => {
  const d = await database("drill-going");
  const run = await db.run.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: d.id,
      status: "running",
      plan: "{}",
      planHash: "h",
      createdBy: "t",
      startedAt: new Date(),
    },
  });
  const drill = await db.drill.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: d.id,
      scheduledAt: new Date(),
      status: "running",
      createdBy: "t",
      steps: { create: [{ index: 0, key: "preflight", title: "Restore", kind: "automatic", runId: run.id }] },
    },
    include: { steps: true },
  });
  await refreshRunTimes(drill.id);
  expect(await db.drillInterval.count({ where: { stepId: drill.steps[0]!.id } })).toBe(0);
});

async function drillWith(steps: { finished: boolean }[]) {
  const d = await database("drill-close");
  return db.drill.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: d.id,
      scheduledAt: new Date(),
      status: "running",
      createdBy: actor.email,
      steps: {
        create: steps.map((s, index) => ({
          index,
          key: `k${index}`,
          title: `Step ${index + 1}`,
          kind: "manual",
          finishedAt: s.finished ? at(index * 10 + 5) : null,
          intervals: s.finished ? { create: [{ startedAt: at(index * 10), endedAt: at(index * 10 + 5) }] } : undefined,
        })),
      },
    },
    include: { steps: { orderBy: { index: "asc" } } },
  });
}

test("a drill with untouched steps cannot close as met, however short its total", async () => {
  const drill = await drillWith([{ finished: true }, { finished: true }, { finished: false }, { finished: false }]);
  const r = await closeDrill({ drillId: drill.id, issues: "", actions: [] });
  expect(r.outcome).toBe("incomplete");
  expect(r.unfinished).toBe(2);
  expect((await db.drill.findUniqueOrThrow({ where: { id: drill.id } })).outcome).toBe("incomplete");
});

test("steps skipped with a reason let the drill close as met; the reason is kept", async () => {
  const drill = await drillWith([{ finished: true }, { finished: false }]);
  await expect(skipStep({ stepId: drill.steps[1]!.id, reason: " " }, actor)).rejects.toThrow(
    /Say why "Step 2" is skipped/,
  );
  await expect(skipStep({ stepId: drill.steps[0]!.id, reason: "x" }, actor)).rejects.toThrow(
    /finished step cannot be skipped/,
  );
  await skipStep({ stepId: drill.steps[1]!.id, reason: "the application is not deployed on staging" }, actor);
  const skipped = await db.drillStep.findUniqueOrThrow({ where: { id: drill.steps[1]!.id } });
  expect(skipped).toMatchObject({ skipReason: "the application is not deployed on staging", skippedBy: actor.email });
  const r = await closeDrill({ drillId: drill.id, issues: "", actions: [] });
  expect(r.outcome).toBe("met");
});
