import { expect, test } from "vitest";
import { db } from "@/lib/db";
import { refreshRunTimes } from "@/lib/drills/queries";
import { stepElapsedMs } from "@/lib/drills/stopwatch";

// A drill step linked to a restore run takes the run's measured times (Lifeboat's own database).
test("a finished restore run's measured duration becomes its drill step's time, once", async () => {
  const database = await db.database.create({ data: { name: `drill-db-${Date.now()}`, environment: "test", host: "127.0.0.1", dbName: "x", user: "x" } });
  const drill = await db.drill.create({
    data: { scenarioId: "database-corruption", scenarioVersion: 1, databaseId: database.id, scheduledAt: new Date(), status: "running", createdBy: "t@example.test", steps: { create: [{ index: 0, title: "Restore", kind: "automatic" }] } },
    include: { steps: true },
  });
  const started = new Date("2026-11-25T10:00:00Z");
  const finished = new Date("2026-11-25T10:03:07Z");
  const run = await db.run.create({
    data: {
      scenarioId: "database-corruption", scenarioVersion: 1, databaseId: database.id, status: "succeeded", plan: "{}", planHash: "h", createdBy: "t@example.test", startedAt: started, finishedAt: finished,
      steps: { create: [{ index: 0, key: "download", title: "Download the backup", kind: "automatic", status: "succeeded", startedAt: started, finishedAt: new Date(started.getTime() + 7_000) }] },
    },
  });
  await db.drillStep.update({ where: { id: drill.steps[0]!.id }, data: { runId: run.id } });

  await refreshRunTimes(drill.id);
  await refreshRunTimes(drill.id);
  const step = await db.drillStep.findUniqueOrThrow({ where: { id: drill.steps[0]!.id }, include: { intervals: true } });
  expect(step.intervals).toHaveLength(1);
  expect(step.intervals[0]!.source).toBe("run");
  expect(stepElapsedMs({ id: step.id, title: step.title, finishedAt: step.finishedAt, intervals: step.intervals }, new Date())).toBe(187_000);
  expect(step.finishedAt).toEqual(finished);
  expect(step.notes).toContain("Download the backup 0:07");
});

test("a run still going leaves the step alone", async () => {
  const database = await db.database.create({ data: { name: `drill-db2-${Date.now()}`, environment: "test", host: "127.0.0.1", dbName: "x", user: "x" } });
  const run = await db.run.create({ data: { scenarioId: "database-corruption", scenarioVersion: 1, databaseId: database.id, status: "running", plan: "{}", planHash: "h", createdBy: "t", startedAt: new Date() } });
  const drill = await db.drill.create({ data: { scenarioId: "database-corruption", scenarioVersion: 1, databaseId: database.id, scheduledAt: new Date(), status: "running", createdBy: "t", steps: { create: [{ index: 0, title: "Restore", kind: "automatic", runId: run.id }] } }, include: { steps: true } });
  await refreshRunTimes(drill.id);
  expect(await db.drillInterval.count({ where: { stepId: drill.steps[0]!.id } })).toBe(0);
});
