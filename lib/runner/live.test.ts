import { randomUUID } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import { db } from "@/lib/db";
import { waitForRunNews, wakeRunWatchers } from "@/lib/runner/live";

// Integration: Lifeboat's real SQLite database. The run page's request waits here for news.

let databaseId: string;

beforeAll(async () => {
  const d = await db.database.create({
    data: { name: `live-${randomUUID().slice(0, 8)}`, host: "127.0.0.1", dbName: "live", user: "lifeboat" },
  });
  databaseId = d.id;
});

async function runWith(status: string) {
  const run = await db.run.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId,
      status,
      plan: "{}",
      planHash: "x",
      createdBy: "live@example.test",
    },
  });
  const line = await db.runLog.create({ data: { runId: run.id, stream: "info", text: "started" } });
  return { runId: run.id, lastLogId: line.id };
}

const since = (t0: number) => performance.now() - t0;

test("with nothing new, a running run's request waits the whole time allowed, no longer", async () => {
  const { runId, lastLogId } = await runWith("running");
  const t0 = performance.now();
  await waitForRunNews(runId, lastLogId, { maxMs: 700 });
  expect(since(t0)).toBeGreaterThanOrEqual(650);
  expect(since(t0)).toBeLessThan(2_000);
});

test("a line written by this process's executor ends the wait at once", async () => {
  const { runId, lastLogId } = await runWith("running");
  const t0 = performance.now();
  setTimeout(() => {
    void db.runLog.create({ data: { runId, stream: "stdout", text: "a line" } }).then(() => wakeRunWatchers(runId));
  }, 100);
  await waitForRunNews(runId, lastLogId, { maxMs: 5_000 });
  expect(since(t0)).toBeLessThan(1_000);
});

test("a line written by another process (no wake) is noticed within about a quarter second", async () => {
  const { runId, lastLogId } = await runWith("running");
  const t0 = performance.now();
  // A Prisma query runs once awaited or then-ed.
  setTimeout(() => void db.runLog.create({ data: { runId, stream: "stdout", text: "elsewhere" } }).then(), 100);
  await waitForRunNews(runId, lastLogId, { maxMs: 5_000 });
  expect(since(t0)).toBeLessThan(1_500);
});

test("lines already there, a finished run, or an unknown run answer without waiting", async () => {
  const running = await runWith("running");
  const finished = await runWith("succeeded");
  for (const [runId, after] of [
    [running.runId, 0],
    [finished.runId, finished.lastLogId],
    [randomUUID(), 0],
  ] as const) {
    const t0 = performance.now();
    await waitForRunNews(runId, after, { maxMs: 5_000 });
    expect(since(t0)).toBeLessThan(1_000);
  }
});

test("a request that goes away stops waiting", async () => {
  const { runId, lastLogId } = await runWith("waiting");
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 100);
  const t0 = performance.now();
  await waitForRunNews(runId, lastLogId, { maxMs: 5_000, signal: abort.signal });
  expect(since(t0)).toBeLessThan(1_000);
});
