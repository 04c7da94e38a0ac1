import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { dayStrip, freshness } from "@/lib/backups/retention";
import { databaseFreshness } from "./freshness-query";

// The dashboard's freshness reads every database's facts in a fixed number of queries. Its
// numbers must be exactly those of the straightforward per-database queries it replaced (kept
// below as the reference), on databases at every edge: no backups, only failed or empty ones,
// good ones only before the 30-day window, vanished newest backups, no location, restore runs
// that failed or never finished.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const now = new Date("2026-11-25T12:00:00Z");
const tag = randomBytes(4).toString("hex");
const H = 3_600_000;
let locationId = "";
const ids: Record<string, string> = {};

/** The per-database queries the dashboard ran before (six a database), as the reference. */
async function referenceFreshness(databaseIds: string[]) {
  const databases = await db.database.findMany({
    where: { id: { in: databaseIds } },
    orderBy: [{ environment: "asc" }, { name: "asc" }],
    include: { _count: { select: { sources: true } } },
  });
  const since = new Date(now.getTime() - 30 * 86_400_000);
  return Promise.all(
    databases.map(async (d) => {
      const present = { databaseId: d.id, vanishedAt: null };
      const isGood = (b: { size: bigint; verificationState: string }) =>
        b.size > 0n && b.verificationState !== "failed";
      const window = await db.backup.findMany({
        where: { ...present, takenAt: { gte: since } },
        orderBy: { takenAt: "desc" },
      });
      const newest = await db.backup.findFirst({
        where: { ...present, size: { gt: 0 }, verificationState: { not: "failed" } },
        orderBy: { takenAt: "desc" },
      });
      const newestVerified = await db.backup.findFirst({
        where: { ...present, verificationState: "verified" },
        orderBy: { takenAt: "desc" },
      });
      const count = await db.backup.count({ where: present });
      const lastRestore = await db.run.findFirst({
        where: { databaseId: d.id, status: "succeeded" },
        orderBy: { finishedAt: "desc" },
      });
      const f = freshness(newest?.takenAt ?? null, d.rpoHours, now);
      return {
        id: d.id,
        name: d.name,
        environment: d.environment,
        rpoHours: d.rpoHours,
        configured: d._count.sources > 0,
        state: f.state,
        ageHours: f.ageHours,
        newest: newest && {
          id: newest.id,
          key: newest.key,
          takenAt: newest.takenAt.toISOString(),
          verificationState: newest.verificationState,
        },
        newestVerifiedAt: newestVerified?.takenAt.toISOString() ?? null,
        lastRestore: lastRestore?.finishedAt
          ? { runId: lastRestore.id, at: lastRestore.finishedAt.toISOString() }
          : null,
        strip: dayStrip(
          window.filter(isGood).map((r) => r.takenAt),
          30,
          now,
        ),
        problemsLast30Days: window.filter((b) => b.verificationState === "failed" || b.sizeAnomaly !== null).length,
        backupCount: count,
      };
    }),
  );
}

type B = { hoursAgo: number; at?: Date; size?: number; state?: string; anomaly?: string; vanished?: boolean };
let n = 0;
function backup(databaseId: string, b: B) {
  const takenAt = b.at ?? new Date(now.getTime() - b.hoursAgo * H);
  return {
    locationId,
    key: `${tag}/${databaseId}/${n++}.sql.gz`,
    size: BigInt(b.size ?? 1000),
    lastModified: takenAt,
    takenAt,
    takenAtSource: "name",
    format: "plain_gzip",
    kind: "scheduled",
    databaseId,
    weekday: takenAt.getUTCDay(),
    dayOfMonth: takenAt.getUTCDate(),
    verificationState: b.state ?? "not_verified",
    sizeAnomaly: b.anomaly ?? null,
    vanishedAt: b.vanished ? now : null,
  };
}

async function run(databaseId: string, status: string, finishedHoursAgo: number | null) {
  await db.run.create({
    data: {
      scenarioId: "corruption",
      scenarioVersion: 1,
      databaseId,
      status,
      plan: "{}",
      planHash: "x",
      createdBy: "test@example.test",
      finishedAt: finishedHoursAgo === null ? null : new Date(now.getTime() - finishedHoursAgo * H),
    },
  });
}

beforeAll(async () => {
  const u = await db.user.create({ data: { email: `fresh-${tag}@example.test`, name: "Fresh", role: "viewer" } });
  session.user = { id: u.id, email: u.email, name: u.name, role: "viewer" };
  const location = await db.location.create({
    data: { name: `fresh-${tag}`, kind: "local", config: JSON.stringify({ path: "/tmp", prefix: "" }) },
  });
  locationId = location.id;
  const make = async (name: string, environment: string, withSource = true) => {
    const d = await db.database.create({
      data: { name: `fresh-${name}-${tag}`, environment, host: "127.0.0.1", dbName: "x", user: "x", rpoHours: 24 },
    });
    if (withSource) await db.databaseSource.create({ data: { databaseId: d.id, locationId, patterns: "*" } });
    ids[name] = d.id;
    return d.id;
  };
  const healthy = await make("healthy", "production");
  const none = await make("none", "production");
  const failedOnly = await make("failed-only", "staging");
  const emptyOnly = await make("empty-only", "staging");
  const old = await make("old", "test");
  const vanished = await make("vanished", "test");
  await make("unconfigured", "test", false);
  const edges = await make("edges", "test");
  const rows = [
    // Every 6 hours for 40 days, a few verified, failed, empty or odd-sized.
    ...Array.from({ length: 160 }, (_, i) =>
      backup(healthy, {
        hoursAgo: 2 + i * 6,
        state: i % 9 === 0 ? "failed" : i % 7 === 3 ? "verified" : "not_verified",
        size: i % 11 === 5 ? 0 : 1000 + i,
        anomaly: i % 13 === 4 ? "smaller than usual" : undefined,
      }),
    ),
    ...Array.from({ length: 20 }, (_, i) => backup(failedOnly, { hoursAgo: 5 + i * 24, state: "failed" })),
    ...Array.from({ length: 10 }, (_, i) => backup(emptyOnly, { hoursAgo: 3 + i * 24, size: 0 })),
    // Good and verified backups only before the 30-day window; failed ones inside it.
    ...Array.from({ length: 10 }, (_, i) =>
      backup(old, { hoursAgo: 40 * 24 + i * 24, state: i === 4 ? "verified" : "not_verified" }),
    ),
    ...Array.from({ length: 5 }, (_, i) => backup(old, { hoursAgo: 24 + i * 48, state: "failed" })),
    // The newest (and the verified one) have vanished from the location: not counted.
    backup(vanished, { hoursAgo: 1, state: "verified", vanished: true }),
    backup(vanished, { hoursAgo: 2, vanished: true }),
    backup(vanished, { hoursAgo: 30 }),
    backup(vanished, { hoursAgo: 50, anomaly: "larger than usual" }),
    // At the window's first millisecond and just before it; either side of a UTC midnight.
    backup(edges, { hoursAgo: 0, at: new Date(now.getTime() - 30 * 24 * H), state: "failed" }),
    backup(edges, { hoursAgo: 0, at: new Date(now.getTime() - 30 * 24 * H) }),
    backup(edges, { hoursAgo: 0, at: new Date(now.getTime() - 30 * 24 * H - 1), anomaly: "smaller than usual" }),
    backup(edges, { hoursAgo: 0, at: new Date("2026-11-20T23:59:59.999Z") }),
    backup(edges, { hoursAgo: 0, at: new Date("2026-11-21T00:00:00.000Z") }),
    backup(edges, { hoursAgo: 0, at: new Date("2026-11-21T00:00:00.001Z"), anomaly: "larger than usual" }),
  ];
  await db.backup.createMany({ data: rows });
  await run(healthy, "succeeded", 10);
  await run(healthy, "succeeded", 3);
  await run(healthy, "failed", 1);
  await run(old, "failed", 5);
  await run(old, "running", null);
  await run(vanished, "succeeded", 400);
  void none;
});

afterAll(async () => {
  const databaseIds = Object.values(ids);
  await db.run.deleteMany({ where: { databaseId: { in: databaseIds } } });
  await db.location.delete({ where: { id: locationId } });
  await db.database.deleteMany({ where: { id: { in: databaseIds } } });
  await db.user.deleteMany({ where: { email: `fresh-${tag}@example.test` } });
});

test("the grouped reads give exactly the per-database queries' numbers, at every edge", async () => {
  const mine = new Set(Object.values(ids));
  const rows = (await databaseFreshness(now)).filter((r) => mine.has(r.id));
  const reference = await referenceFreshness([...mine]);
  expect(rows).toEqual(reference);
  // The edges are what the test says they are (the comparison alone would pass on empty rows).
  const by = Object.fromEntries(rows.map((r) => [r.name.replace(`fresh-`, "").replace(`-${tag}`, ""), r]));
  expect(by.healthy).toMatchObject({ state: "ok", backupCount: 160, configured: true });
  expect(by.healthy!.problemsLast30Days).toBeGreaterThan(0);
  expect(by.healthy!.lastRestore?.at).toBe(new Date(now.getTime() - 3 * H).toISOString());
  expect(by.none).toMatchObject({ newest: null, newestVerifiedAt: null, backupCount: 0, state: "breached" });
  expect(by["failed-only"]).toMatchObject({ newest: null, backupCount: 20, problemsLast30Days: 20 });
  expect(by["empty-only"]).toMatchObject({ newest: null, backupCount: 10, problemsLast30Days: 0 });
  expect(by.old!.newest?.takenAt).toBe(new Date(now.getTime() - 40 * 24 * H).toISOString());
  expect(by.old!.newestVerifiedAt).toBe(new Date(now.getTime() - 44 * 24 * H).toISOString());
  expect(by.old!.lastRestore).toBeNull();
  expect(by.vanished).toMatchObject({ backupCount: 2, newestVerifiedAt: null, problemsLast30Days: 1 });
  expect(by.vanished!.newest?.takenAt).toBe(new Date(now.getTime() - 30 * H).toISOString());
  expect(by.unconfigured).toMatchObject({ configured: false, backupCount: 0 });
  const strip = Object.fromEntries(by.edges!.strip.map((d) => [d.day, d.count]));
  // The window starts mid-day before the strip's first day: its backups count as problems only.
  expect(by.edges!.strip[0]!.day).toBe("2026-10-27");
  expect([strip["2026-11-20"], strip["2026-11-21"]]).toEqual([1, 2]);
  expect(by.edges!.problemsLast30Days).toBe(2);
});
