import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { listLocations } from "@/lib/locations/queries";
import { listRestoreRuns } from "@/lib/restores/queries";
import { activeRestoreRuns, keptTestScratchDatabases, locationSyncHealth } from "./queries";

// The dashboard's own reads: the same facts as the general queries they replaced, in one query each.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const now = new Date("2026-11-25T12:00:00Z");
const tag = randomBytes(4).toString("hex");
const locationIds: string[] = [];
let databaseId = "";
let otherDatabaseId = "";
let socketDatabaseId = "";

beforeAll(async () => {
  const u = await db.user.create({ data: { email: `dash-${tag}@example.test`, name: "Dash", role: "viewer" } });
  session.user = { id: u.id, email: u.email, name: u.name, role: "viewer" };
  // Locations: never synced, last sync ok after an error, last sync failed after an ok one, interrupted.
  const syncs: [string, { status: string; error?: string; minutesAgo: number }[]][] = [
    ["never", []],
    [
      "recovered",
      [
        { status: "error", error: "AccessDenied", minutesAgo: 30 },
        { status: "ok", minutesAgo: 10 },
      ],
    ],
    [
      "broken",
      [
        { status: "ok", minutesAgo: 30 },
        { status: "error", error: "The bucket does not exist.", minutesAgo: 5 },
      ],
    ],
    ["stopped", [{ status: "interrupted", minutesAgo: 2 }]],
  ];
  for (const [name, runs] of syncs) {
    const l = await db.location.create({
      data: { name: `dash-${tag}-${name}`, kind: "local", config: JSON.stringify({ path: "/tmp", prefix: "" }) },
    });
    locationIds.push(l.id);
    for (const r of runs)
      await db.syncRun.create({
        data: {
          locationId: l.id,
          trigger: "interval",
          status: r.status,
          error: r.error ?? null,
          startedAt: new Date(Date.now() - r.minutesAgo * 60_000),
        },
      });
  }
  const d = await db.database.create({
    data: { name: `dash-${tag}`, host: "127.0.0.1", dbName: "x", user: "x" },
  });
  databaseId = d.id;
  const other = await db.database.create({
    data: { name: `dash-${tag}-noplan`, host: "127.0.0.1", dbName: "x", user: "x" },
  });
  otherDatabaseId = other.id;
  const socket = await db.database.create({
    data: { name: `dash-${tag}-socket`, host: "127.0.0.1", dbName: "x", user: "x" },
  });
  socketDatabaseId = socket.id;
  await db.testPlan.create({
    data: { databaseId: socketDatabaseId, testHost: "/var/run/postgresql", testPort: 5432, testUser: "lifeboat" },
  });
  await db.testPlan.create({
    data: { databaseId, testHost: "test-pg.internal", testPort: 5433, testUser: "lifeboat" },
  });
});

afterAll(async () => {
  await db.run.deleteMany({ where: { databaseId: { in: [databaseId, otherDatabaseId, socketDatabaseId] } } });
  await db.backupTest.deleteMany({ where: { databaseId: { in: [databaseId, otherDatabaseId, socketDatabaseId] } } });
  await db.location.deleteMany({ where: { id: { in: locationIds } } });
  await db.database.deleteMany({ where: { id: { in: [databaseId, otherDatabaseId, socketDatabaseId] } } });
  await db.user.deleteMany({ where: { email: `dash-${tag}@example.test` } });
});

test("each location's last sync and whether it failed: as the location list says", async () => {
  const mine = new Set(locationIds);
  const health = (await locationSyncHealth()).filter((l) => mine.has(l.id));
  const listed = (await listLocations()).filter((l) => mine.has(l.id));
  expect(health.map((l) => l.id)).toEqual(listed.map((l) => l.id));
  expect(health.map((l) => l.lastSync)).toEqual(
    listed.map((l) => l.lastSync && { status: l.lastSync.status, error: l.lastSync.error }),
  );
  expect(health.map((l) => [l.name.replace(`dash-${tag}-`, ""), l.failing])).toEqual([
    ["broken", true],
    ["never", false],
    ["recovered", false],
    ["stopped", true],
  ]);
});

test("restore runs that need attention: every run under way or interrupted, also beyond the list's first page", async () => {
  const run = (status: string, minutesAgo: number) =>
    db.run.create({
      data: {
        scenarioId: "corruption",
        scenarioVersion: 1,
        databaseId,
        status,
        plan: "{}",
        planHash: "x",
        createdBy: "dash@example.test",
        confirmedBy: status === "queued" ? null : "oncall@example.test",
        createdAt: new Date(Date.now() - minutesAgo * 60_000),
      },
    });
  const interrupted = await run("interrupted", 600);
  // Newer than the interrupted run: more than a page of the Restores list.
  for (let i = 0; i < 60; i++) await run(i % 2 ? "succeeded" : "failed", 300 - i);
  const running = await run("running", 5);
  const waiting = await run("waiting", 4);
  const queued = await run("queued", 3);
  await run("planned", 2);
  await run("cancelled", 1);
  const mineOnly = <T extends { id: string }>(rows: T[], ids: Set<string>) => rows.filter((r) => ids.has(r.id));
  const ids = new Set([interrupted.id, running.id, waiting.id, queued.id]);
  const active = (await activeRestoreRuns()).filter((r) => r.databaseName === `dash-${tag}`);
  expect(active.map((r) => [r.id, r.status, r.confirmedBy])).toEqual([
    [queued.id, "queued", null],
    [waiting.id, "waiting", "oncall@example.test"],
    [running.id, "running", "oncall@example.test"],
    [interrupted.id, "interrupted", "oncall@example.test"],
  ]);
  // The first page of the Restores list (what the dashboard filtered before) misses the interrupted one.
  const firstPage = mineOnly((await listRestoreRuns({ page: 1, databaseId })).runs, ids);
  expect(firstPage.map((r) => r.id)).not.toContain(interrupted.id);
});

test("scratch databases kept by monthly tests: until when, where, which test; dropped ones are gone", async () => {
  const test = (data: { db?: string; month: string; scratch: string | null; until: Date | null; dropped?: Date }) =>
    db.backupTest.create({
      data: {
        databaseId: data.db ?? databaseId,
        month: data.month,
        status: "passed",
        rtoMinutes: 60,
        createdBy: "dash@example.test",
        scratchDatabase: data.scratch,
        scratchKeepUntil: data.until,
        scratchDroppedAt: data.dropped ?? null,
      },
    });
  const H = 3_600_000;
  const kept = await test({
    month: "2026-11",
    scratch: `lifeboat_test_20261125_${tag}`,
    until: new Date(now.getTime() + 20 * H),
  });
  const due = await test({
    month: "2026-10",
    scratch: `lifeboat_test_20261020_${tag}`,
    until: new Date(now.getTime() - H),
  });
  const noPlan = await test({
    db: otherDatabaseId,
    month: "2026-11",
    scratch: `lifeboat_test_20261124_${tag}`,
    until: new Date(now.getTime() + 2 * H),
  });
  const viaSocket = await test({
    db: socketDatabaseId,
    month: "2026-11",
    scratch: `lifeboat_test_20261123_${tag}`,
    until: new Date(now.getTime() + 3 * H),
  });
  await test({
    month: "2026-09",
    scratch: `lifeboat_test_20260920_${tag}`,
    until: new Date(now.getTime() - 48 * H),
    dropped: now,
  });
  await test({ month: "2026-08", scratch: `lifeboat_test_20260820_${tag}`, until: null, dropped: now });
  await test({ month: "2026-07", scratch: null, until: null });
  const rows = (await keptTestScratchDatabases(now)).filter((k) => k.scratchDatabase.endsWith(tag));
  expect(rows).toEqual([
    {
      testId: due.id,
      month: "2026-10",
      scratchDatabase: `lifeboat_test_20261020_${tag}`,
      databaseName: `dash-${tag}`,
      server: "test-pg.internal:5433",
      keepUntil: new Date(now.getTime() - H).toISOString(),
      overdue: true,
    },
    {
      testId: noPlan.id,
      month: "2026-11",
      scratchDatabase: `lifeboat_test_20261124_${tag}`,
      databaseName: `dash-${tag}-noplan`,
      server: null,
      keepUntil: new Date(now.getTime() + 2 * H).toISOString(),
      overdue: false,
    },
    {
      testId: viaSocket.id,
      month: "2026-11",
      scratchDatabase: `lifeboat_test_20261123_${tag}`,
      databaseName: `dash-${tag}-socket`,
      server: "/var/run/postgresql (socket, port 5432)",
      keepUntil: new Date(now.getTime() + 3 * H).toISOString(),
      overdue: false,
    },
    {
      testId: kept.id,
      month: "2026-11",
      scratchDatabase: `lifeboat_test_20261125_${tag}`,
      databaseName: `dash-${tag}`,
      server: "test-pg.internal:5433",
      keepUntil: new Date(now.getTime() + 20 * H).toISOString(),
      overdue: false,
    },
  ]);
});
