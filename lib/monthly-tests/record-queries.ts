import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { NotFoundError, UserError } from "@/lib/errors";
import { parseStoredJson } from "@/lib/stored-json";
import { SCENARIOS } from "@/lib/scenarios/registry";
import { findingsSchema, queryResultsSchema, tableCountsSchema } from "@/lib/monthly-tests/record-schemas";
import {
  calendarRows,
  drillDues,
  lastMonths,
  overdueMonths,
  testState,
  type CalendarTest,
} from "@/lib/monthly-tests/calendar";
import {
  EVIDENCE_SCHEMA_ID,
  EVIDENCE_VERSION,
  toEvidenceTest,
  type Evidence,
  type EvidenceTest,
  type StoredAudit,
} from "@/lib/monthly-tests/evidence";

// What the monthly-test pages, the dashboard and the evidence exports read. Every function
// checks the session first (viewer: everybody signed in reads everything).

const RECORD_INCLUDE = {
  database: { select: { name: true, environment: true } },
  remarks: { orderBy: { at: "asc" as const } },
  actions: { orderBy: { dueDate: "asc" as const } },
};

function parsedColumns(t: { id: string; tableCounts: string; queryResults: string; findings: string }) {
  return {
    tableCounts: parseStoredJson(t.tableCounts, tableCountsSchema, `table counts of monthly test ${t.id}`),
    queryResults: parseStoredJson(t.queryResults, queryResultsSchema, `query results of monthly test ${t.id}`),
    findings: parseStoredJson(t.findings, findingsSchema, `findings of monthly test ${t.id}`),
  };
}

/** The audit events of one record: its own (sign-off, remarks) and its run's. */
async function auditTrail(testId: string, runId: string | null): Promise<StoredAudit[]> {
  const ids = runId ? [testId, runId] : [testId];
  return db.auditEvent.findMany({
    where: { targetId: { in: ids } },
    orderBy: [{ seq: "asc" }],
    select: { seq: true, at: true, actorEmail: true, action: true, detail: true, hash: true },
  });
}

export async function getTestRecord(id: string) {
  await requireRole("viewer");
  const t = await db.backupTest.findUnique({
    where: { id },
    include: { ...RECORD_INCLUDE, database: { select: { id: true, name: true, environment: true } } },
  });
  if (!t) throw new NotFoundError("The monthly test record");
  const audit = await auditTrail(t.id, t.runId);
  const evidence = toEvidenceTest(t, parsedColumns(t), audit);
  return {
    evidence,
    databaseId: t.database.id,
    createdBy: t.createdBy,
    state: testState(t),
    actions: t.actions.map((a) => ({ ...a, dueDate: a.dueDate.toISOString().slice(0, 10) })),
  };
}
export type TestRecordView = Awaited<ReturnType<typeof getTestRecord>>;

export type EvidenceQuery = { id: string } | { from: string; to: string };

/** Parses ?id= or ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: the last 12 months). */
export function evidenceQuery(params: URLSearchParams, now = new Date()): EvidenceQuery {
  const id = params.get("id");
  if (id) return { id };
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const from = params.get("from") || `${lastMonths(now, 12)[0]}-01`;
  const to = params.get("to") || now.toISOString().slice(0, 10);
  if (!day.test(from) || !day.test(to) || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)))
    throw new UserError("Give the dates as YYYY-MM-DD (from and to, UTC).");
  if (from > to) throw new UserError(`The range starts (${from}) after it ends (${to}): swap the dates.`);
  return { from, to };
}

/** The tests of the query as evidence: one test, or every test started in the range (oldest first). */
export async function evidenceFor(q: EvidenceQuery, now = new Date()): Promise<Evidence> {
  const user = await requireRole("viewer");
  const rows =
    "id" in q
      ? await db.backupTest.findMany({ where: { id: q.id }, include: RECORD_INCLUDE })
      : await db.backupTest.findMany({
          where: {
            startedAt: {
              gte: new Date(`${q.from}T00:00:00Z`),
              lt: new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000),
            },
          },
          orderBy: [{ startedAt: "asc" }, { id: "asc" }],
          include: RECORD_INCLUDE,
        });
  if ("id" in q && rows.length === 0) throw new NotFoundError("The monthly test record");
  const tests: EvidenceTest[] = [];
  for (const t of rows) tests.push(toEvidenceTest(t, parsedColumns(t), await auditTrail(t.id, t.runId)));
  return {
    schema: EVIDENCE_SCHEMA_ID,
    version: EVIDENCE_VERSION,
    generatedAt: now.toISOString(),
    generatedBy: user.email,
    range: "id" in q ? null : { from: q.from, to: q.to },
    tests,
  };
}

const CALENDAR_SELECT = {
  id: true,
  databaseId: true,
  month: true,
  status: true,
  performedBy: true,
  countersignedBy: true,
  startedAt: true,
} as const;

async function calendarFacts(now: Date) {
  const months = lastMonths(now, 12);
  const [databases, tests, drills, plans] = await Promise.all([
    db.database.findMany({
      orderBy: { name: "asc" },
      select: { id: true, name: true, environment: true, createdAt: true },
    }),
    db.backupTest.findMany({ where: { month: { gte: months[0]! } }, select: CALENDAR_SELECT }),
    db.drill.findMany({ where: { status: "closed" }, select: { id: true, scenarioId: true, closedAt: true } }),
    db.testPlan.findMany({ select: { databaseId: true, id: true } }),
  ]);
  return { databases, tests: tests as CalendarTest[], drills, plans };
}

export async function testCalendar(now = new Date()) {
  await requireRole("viewer");
  const { databases, tests, drills, plans } = await calendarFacts(now);
  const { months, rows } = calendarRows(databases, tests, now);
  const dues = drillDues(
    SCENARIOS.map((s) => ({ id: s.id, title: s.meta.title })),
    drills,
    now,
  );
  const planOf = new Map(plans.map((p) => [p.databaseId, p.id]));
  return { months, rows: rows.map((r) => ({ ...r, planId: planOf.get(r.database.id) ?? null })), drills: dues };
}

/** The dashboard's share: overdue months, tests waiting for a signature, open action items, overdue drills. */
export async function monthlyTestAttention(now = new Date()) {
  await requireRole("viewer");
  const { databases, tests, drills } = await calendarFacts(now);
  const { rows } = calendarRows(databases, tests, now);
  const [unsigned, openActions] = await Promise.all([
    db.backupTest.findMany({
      where: { status: { not: "running" }, countersignedBy: null },
      orderBy: { startedAt: "asc" },
      take: 20,
      select: {
        id: true,
        month: true,
        status: true,
        performedBy: true,
        database: { select: { name: true } },
      },
    }),
    db.backupTestAction.findMany({
      where: { closedAt: null },
      orderBy: { dueDate: "asc" },
      take: 20,
      select: {
        id: true,
        text: true,
        owner: true,
        dueDate: true,
        testId: true,
        test: { select: { month: true, database: { select: { name: true } } } },
      },
    }),
  ]);
  const dues = drillDues(
    SCENARIOS.map((s) => ({ id: s.id, title: s.meta.title })),
    drills,
    now,
  );
  return {
    overdue: overdueMonths(rows),
    unsigned: unsigned.map((t) => ({
      id: t.id,
      month: t.month,
      status: t.status,
      database: t.database.name,
      waitingFor: t.performedBy ? ("countersignature" as const) : ("signature" as const),
    })),
    openActions: openActions.map((a) => ({
      id: a.id,
      text: a.text,
      owner: a.owner,
      dueDate: a.dueDate.toISOString().slice(0, 10),
      overdue: a.dueDate.getTime() + 86_400_000 <= now.getTime(),
      testId: a.testId,
      month: a.test.month,
      database: a.test.database.name,
    })),
    overdueDrills: dues.filter((d) => d.overdue),
  };
}
export type MonthlyTestAttention = Awaited<ReturnType<typeof monthlyTestAttention>>;

/** Per database and month (the last 12): the tested backup's size and the restore time, against the RTO. */
export async function testTrends(now = new Date()) {
  await requireRole("viewer");
  const months = lastMonths(now, 12);
  const [databases, tests] = await Promise.all([
    db.database.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, rtoCorruptionMinutes: true } }),
    db.backupTest.findMany({
      where: { month: { gte: months[0]! }, status: { not: "running" } },
      orderBy: { startedAt: "asc" },
      select: {
        id: true,
        databaseId: true,
        month: true,
        status: true,
        backupSizeBytes: true,
        restoreMs: true,
        rtoMinutes: true,
      },
    }),
  ]);
  return databases
    .map((d) => {
      const own = tests.filter((t) => t.databaseId === d.id);
      // The month's last test that measured something stands for the month.
      const points = months.flatMap((month) => {
        const t = own.filter((x) => x.month === month && (x.restoreMs !== null || x.backupSizeBytes !== null)).at(-1);
        return t
          ? [
              {
                month,
                testId: t.id,
                status: t.status,
                sizeBytes: t.backupSizeBytes === null ? null : Number(t.backupSizeBytes),
                restoreMs: t.restoreMs,
                rtoMinutes: t.rtoMinutes,
              },
            ]
          : [];
      });
      return { databaseId: d.id, name: d.name, rtoMinutes: d.rtoCorruptionMinutes, points };
    })
    .filter((d) => d.points.length > 0);
}
export type TestTrend = Awaited<ReturnType<typeof testTrends>>[number];
