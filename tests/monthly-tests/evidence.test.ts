import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { Ajv2020 } from "ajv/dist/2020";
import { beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import type { Role } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { countersignTestCommand, signTestCommand, addTestRemarkCommand } from "@/lib/monthly-tests/sign-off/commands";
import { EVIDENCE_SCHEMA_PATH, evidenceJsonSchema } from "@/lib/monthly-tests/evidence";
import type { Finding, QueryResult, TableCount } from "@/lib/monthly-tests/record-schemas";
import { GET } from "@/app/api/monthly-tests/evidence/route";

// The evidence exports read back as an auditor would: the CSV through a real CSV parser, field
// by field against the records in Lifeboat's database; the JSON through a JSON Schema 2020-12
// validator against the schema committed in the repository.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomUUID().slice(0, 8);
const people = {} as Record<"operator" | "approver" | "viewer", SessionUser>;
const ids: string[] = [];
const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
// A day of its own far in the past, so the range holds only this file's tests.
const DAY = `20${String(10 + Math.floor(Math.random() * 80)).padStart(2, "0")}-0${1 + Math.floor(Math.random() * 8)}-1${Math.floor(Math.random() * 9)}`;

const counts: TableCount[] = [
  { schema: "public", table: "users", manifest: 1000, restored: 1000, ok: true },
  { schema: "Sales", table: 'Order "Items", 2026', manifest: 5, restored: 4, ok: false },
];
const queries: QueryResult[] = [
  {
    name: "users, at least 1000",
    sql: "SELECT count(*)\nFROM users",
    comparator: "gte",
    expected: "1000",
    actual: "1000",
    ok: true,
    error: null,
    ms: 12,
  },
];
const findings: Finding[] = [
  { step: "restore", severity: "error", text: 'Table "Order Items": 4 rows, the manifest says 5.' },
];

async function get(query: string): Promise<Response> {
  return GET(new Request(`http://127.0.0.1/api/monthly-tests/evidence?${query}`), { params: Promise.resolve({}) });
}

beforeAll(async () => {
  for (const [who, role] of [
    ["operator", "operator"],
    ["approver", "approver"],
    ["viewer", "viewer"],
  ] as const) {
    const u = await db.user.create({ data: { email: `${who}-${tag}@example.test`, name: who, role: role as Role } });
    people[who] = { id: u.id, email: u.email, name: u.name, role: role as Role };
  }
  const database = await db.database.create({
    data: { name: `evidence-${tag}`, environment: "production", host: "127.0.0.1", port: 5432, dbName: "x", user: "x" },
  });
  const start = new Date(`${DAY}T03:00:00Z`);
  const base = {
    databaseId: database.id,
    month: DAY.slice(0, 7),
    rtoMinutes: 15,
    createdBy: people.operator.email,
    backupLocation: "demo, local",
    backupCreatedAt: new Date(start.getTime() - 25 * 3600_000),
  };
  const passed = await db.backupTest.create({
    data: {
      ...base,
      status: "passed",
      startedAt: start,
      finishedAt: new Date(start.getTime() + 95_000),
      backupKey: "lifeboat/evidence/x_backup_20261102_020000.dump",
      backupSizeBytes: 123_456_789n,
      backupSha256: "ab".repeat(32),
      restoreMs: 61_234,
      tableCounts: JSON.stringify([counts[0]]),
      queryResults: JSON.stringify(queries),
    },
  });
  const failed = await db.backupTest.create({
    data: {
      ...base,
      status: "failed",
      startedAt: new Date(start.getTime() + 3600_000),
      finishedAt: new Date(start.getTime() + 3700_000),
      backupKey: '=HYPERLINK("http://evil")',
      backupSizeBytes: 0n,
      restoreMs: 16 * 60_000,
      tableCounts: JSON.stringify(counts),
      findings: JSON.stringify(findings),
    },
  });
  // Outside the range: the day after.
  const later = await db.backupTest.create({
    data: { ...base, status: "passed", startedAt: new Date(start.getTime() + 86_400_000) },
  });
  ids.push(passed.id, failed.id, later.id);

  session.user = people.operator;
  expect(await signTestCommand({ testId: passed.id })).toMatchObject({ ok: true });
  expect(
    await signTestCommand({
      testId: failed.id,
      reason: 'Rows missing in "Order Items",\r\nrestore slower than the RTO.',
      actions: [{ text: "Find the missing rows", owner: "Ops, night shift", dueDate: inAMonth }],
    }),
  ).toMatchObject({ ok: true });
  session.user = people.approver;
  expect(await countersignTestCommand({ testId: passed.id })).toMatchObject({ ok: true });
  session.user = people.operator;
  expect(await addTestRemarkCommand({ testId: passed.id, text: "-1 row after re-check? no: fine." })).toMatchObject({
    ok: true,
  });
  session.user = people.viewer;
});

test("the committed JSON Schema is the one generated from the zod schema", () => {
  const committed = JSON.parse(fs.readFileSync(EVIDENCE_SCHEMA_PATH, "utf8")) as unknown;
  expect(committed, "run `npx tsx scripts/evidence-schema.ts` and commit the file").toEqual(evidenceJsonSchema());
});

describe("CSV", () => {
  test("a date range parses with a CSV parser and matches the records field by field", async () => {
    const res = await get(`from=${DAY}&to=${DAY}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="lifeboat-monthly-tests-.*\.csv"/);
    const rows = parse(await res.text(), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(rows.map((r) => r["test id"])).toEqual([ids[0], ids[1]]);

    for (const row of rows) {
      const t = await db.backupTest.findUniqueOrThrow({
        where: { id: row["test id"] },
        include: { database: true, remarks: { orderBy: { at: "asc" } }, actions: true },
      });
      const iso = (d: Date | null) => (d ? d.toISOString() : "");
      const cell = (v: string | number | null) => (v === null ? "" : String(v));
      const tableCounts = JSON.parse(t.tableCounts) as TableCount[];
      const queryResults = JSON.parse(t.queryResults) as QueryResult[];
      const expected: Record<string, string> = {
        "test id": t.id,
        database: t.database.name,
        environment: t.database.environment,
        month: t.month,
        status: t.status,
        "started at (UTC)": iso(t.startedAt),
        "finished at (UTC)": iso(t.finishedAt),
        "started by": t.createdBy,
        // A cell a spreadsheet would run as a formula is kept as text.
        "backup key": t.backupKey?.startsWith("=") ? `'${t.backupKey}` : cell(t.backupKey),
        "backup location": cell(t.backupLocation),
        "backup size (bytes)": cell(t.backupSizeBytes === null ? null : t.backupSizeBytes.toString()),
        "backup created at (UTC)": iso(t.backupCreatedAt),
        "backup age at test (hours)": String((t.startedAt.getTime() - t.backupCreatedAt!.getTime()) / 3600_000),
        "backup sha256": cell(t.backupSha256),
        "restore time (ms)": cell(t.restoreMs),
        "RTO (minutes)": String(t.rtoMinutes),
        "within RTO": t.restoreMs === null ? "" : t.restoreMs <= t.rtoMinutes * 60_000 ? "yes" : "no",
        tables: String(tableCounts.length),
        "tables matching": String(tableCounts.filter((c) => c.ok).length),
        queries: String(queryResults.length),
        "queries passed": String(queryResults.filter((q) => q.ok).length),
        "performed by": cell(t.performedBy),
        "performed at (UTC)": iso(t.performedAt),
        reason: t.signReason,
        "countersigned by": cell(t.countersignedBy),
        "countersigned at (UTC)": iso(t.countersignedAt),
        "locked at (UTC)": iso(t.lockedAt),
        "audit events": String(await db.auditEvent.count({ where: { targetId: t.id } })),
      };
      for (const [column, value] of Object.entries(expected)) expect(row[column], `${column} of ${t.id}`).toBe(value);
      expect(JSON.parse(row["table counts (JSON)"]!)).toEqual(tableCounts);
      expect(JSON.parse(row["query results (JSON)"]!)).toEqual(queryResults);
      expect(JSON.parse(row["findings (JSON)"]!)).toEqual(JSON.parse(t.findings));
      expect(JSON.parse(row["remarks (JSON)"]!)).toEqual(
        t.remarks.map((r) => ({ at: r.at.toISOString(), by: r.by, text: r.text })),
      );
      expect(JSON.parse(row["action items (JSON)"]!)).toEqual(
        t.actions.map((a) => ({
          text: a.text,
          owner: a.owner,
          dueDate: a.dueDate.toISOString().slice(0, 10),
          closedAt: null,
          closedBy: null,
        })),
      );
      expect(Object.keys(row)).toHaveLength(Object.keys(expected).length + 5);
    }
    // The hostile texts really were in there: a comma, quotes and a line break in one cell.
    expect(rows[1]!.reason).toBe('Rows missing in "Order Items",\r\nrestore slower than the RTO.');
    expect(rows[1]!["backup key"]).toBe(`'=HYPERLINK("http://evil")`);
  });

  test("one test by id; a bad range is refused with what to do", async () => {
    const one = parse(await (await get(`id=${ids[0]}`)).text(), { columns: true }) as Record<string, string>[];
    expect(one.map((r) => r["test id"])).toEqual([ids[0]]);
    expect((await get("id=does-not-exist")).status).toBe(404);
    const bad = await get("from=2026-12-31&to=2026-01-01");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/swap the dates/);
    expect((await get("format=xml")).status).toBe(400);
  });

  test("nobody signed out gets it", async () => {
    session.user = null;
    try {
      expect((await get(`id=${ids[0]}`)).status).toBe(401);
    } finally {
      session.user = people.viewer;
    }
  });
});

describe("JSON", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(EVIDENCE_SCHEMA_PATH, "utf8")) as object);

  test("the export validates against the published schema and holds the signatures and the audit trail", async () => {
    const res = await get(`from=${DAY}&to=${DAY}&format=json`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      tests: {
        id: string;
        signatures: { countersignedBy: string | null };
        auditTrail: { action: string }[];
        backup: { sizeBytes: number };
      }[];
    };
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body.tests.map((t) => t.id)).toEqual([ids[0], ids[1]]);
    expect(body.tests[0]!.signatures.countersignedBy).toBe(people.approver.email);
    expect(body.tests[0]!.backup.sizeBytes).toBe(123_456_789);
    expect(body.tests[0]!.auditTrail.map((e) => e.action)).toEqual([
      "monthly_test.sign",
      "monthly_test.countersign",
      "monthly_test.remark",
    ]);
  });

  test("the schema is not a rubber stamp: a tampered export does not validate", async () => {
    const body = (await (await get(`id=${ids[0]}&format=json`)).json()) as Record<string, unknown> & {
      tests: Record<string, unknown>[];
    };
    expect(validate(body)).toBe(true);
    const t = body.tests[0]!;
    for (const tamper of [
      { ...t, status: "approved" },
      { ...t, backup: { ...(t.backup as object), sizeBytes: "123" } },
      { ...t, signatures: undefined },
      { ...t, extra: 1 },
      { ...t, startedAt: "yesterday" },
    ]) {
      expect(validate({ ...body, tests: [tamper] }), JSON.stringify(tamper).slice(0, 80)).toBe(false);
    }
  });
});
