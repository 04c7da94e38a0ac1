import "server-only";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { nextDue } from "@/lib/schedules/cron";

// What the plan pages show. Never the sealed password: only whether one is stored.

export async function testPlansOverview(now: Date = new Date()) {
  const databases = await db.database.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      environment: true,
      rtoCorruptionMinutes: true,
      testPlan: {
        select: {
          id: true,
          enabled: true,
          cron: true,
          backupChoice: true,
          creation: true,
          testHost: true,
          testPort: true,
          keepScratchHours: true,
          _count: { select: { queries: true } },
        },
      },
    },
  });
  const last = await db.backupTest.findMany({
    where: { databaseId: { in: databases.map((d) => d.id) } },
    orderBy: { startedAt: "desc" },
    distinct: ["databaseId"],
    select: { id: true, databaseId: true, status: true, startedAt: true, runId: true },
  });
  return databases.map((d) => {
    const p = d.testPlan;
    let next: Date | null = null;
    if (p?.enabled && p.cron) {
      try {
        next = nextDue(p.cron, now);
      } catch {
        next = null;
      }
    }
    return {
      databaseId: d.id,
      databaseName: d.name,
      environment: d.environment,
      rtoMinutes: d.rtoCorruptionMinutes,
      plan: p
        ? {
            id: p.id,
            enabled: p.enabled,
            cron: p.cron,
            nextDueAt: next?.toISOString() ?? null,
            backupChoice: p.backupChoice,
            creation: p.creation,
            testServer: `${p.testHost}:${p.testPort}`,
            keepScratchHours: p.keepScratchHours,
            queries: p._count.queries,
          }
        : null,
      lastTest: last.find((t) => t.databaseId === d.id) ?? null,
    };
  });
}
export type TestPlanRow = Awaited<ReturnType<typeof testPlansOverview>>[number];

/** The plan as the form edits it (password: only whether one is stored). */
export async function testPlanForForm(planId: string) {
  const p = await db.testPlan.findUnique({
    where: { id: planId },
    include: {
      queries: { orderBy: { index: "asc" } },
      database: { select: { id: true, name: true, environment: true } },
    },
  });
  if (!p) throw new NotFoundError("The test plan");
  const { testPasswordEnc, queries, database, ...rest } = p;
  return {
    database,
    plan: {
      ...rest,
      hasPassword: testPasswordEnc !== null,
      queries: queries.map((q) => ({
        name: q.name,
        sql: q.sql,
        comparator: q.comparator,
        expected: q.expected ?? "",
        manifestTable: q.manifestTable ?? "",
      })),
    },
  };
}
export type TestPlanForForm = Awaited<ReturnType<typeof testPlanForForm>>["plan"];

export async function databaseForNewPlan(databaseId: string) {
  const d = await db.database.findUnique({
    where: { id: databaseId },
    select: { id: true, name: true, environment: true, testPlan: { select: { id: true } } },
  });
  if (!d) throw new NotFoundError("The database");
  return d;
}
