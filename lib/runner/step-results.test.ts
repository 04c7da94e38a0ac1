import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { db } from "@/lib/db";
import { createRun } from "@/lib/runner/runs";
import { getRunView } from "@/lib/runner/queries";
import { INLINE_RESULT_CHARS, readStepResult } from "@/lib/runner/step-results";

// The run view is polled every second while a run moves: a step result bigger than a few KiB
// is left out of it (the page fetches it once, on demand), a small one stays inline.

test("a big step result is deferred from the run view and read on its own; a small one stays inline", async () => {
  const user = await db.user.create({
    data: { email: `step-results-${randomUUID()}@example.test`, name: "Step results", role: "operator" },
  });
  const database = await db.database.create({
    data: { name: `step-results-${randomUUID().slice(0, 8)}`, host: "127.0.0.1", dbName: "amani", user: "lifeboat" },
  });
  const step = (key: string) => ({ key, title: key, kind: "manual" as const, command: null, description: key });
  const { runId } = await createRun({
    plan: { scenarioId: "corruption", scenarioVersion: 1, steps: [step("small"), step("big")], summary: {} },
    scenarioId: "corruption",
    databaseId: database.id,
    backupId: null,
    options: {},
    createdBy: { id: user.id, email: user.email },
  });
  const big = { tables: Array.from({ length: 2_000 }, (_, i) => ({ name: `table_${i}`, rows: i })) };
  expect(JSON.stringify(big).length).toBeGreaterThan(INLINE_RESULT_CHARS);
  await db.runStep.update({ where: { runId_index: { runId, index: 0 } }, data: { result: JSON.stringify({ ok: 1 }) } });
  await db.runStep.update({ where: { runId_index: { runId, index: 1 } }, data: { result: JSON.stringify(big) } });

  const view = await getRunView(runId);
  expect(view.steps[0]).toMatchObject({ result: { ok: 1 }, resultDeferred: false });
  expect(view.steps[1]).toMatchObject({ result: null, resultDeferred: true });
  expect(JSON.stringify(view).length).toBeLessThan(INLINE_RESULT_CHARS);
  expect(await readStepResult(runId, 1)).toEqual({ key: "big", result: big });
  await expect(readStepResult(runId, 7)).rejects.toThrow(/run step was not found/);
});
