import { z } from "zod";
import { csvCell, toCsv } from "@/lib/audit/csv";
import {
  findingsSchema,
  queryResultsSchema,
  tableCountsSchema,
  testStatusSchema,
} from "@/lib/monthly-tests/record-schemas";

// The evidence an auditor takes away: one test or a range of tests as JSON (validated against
// the published schema public/schemas/monthly-test-evidence.schema.json, generated from the zod
// schema below: scripts/evidence-schema.ts) and as CSV (one row per test, the nested parts as
// JSON in their cells). Pure: the route reads the records and passes them in.

// A URN, not a URL: the schema is the file in the repository (and served by the console at
// /schemas/monthly-test-evidence.schema.json), not something on a domain Lifeboat would have to own.
export const EVIDENCE_SCHEMA_ID = "urn:lifeboat:schema:monthly-test-evidence:1";
export const EVIDENCE_SCHEMA_PATH = "public/schemas/monthly-test-evidence.schema.json";
export const EVIDENCE_VERSION = 1;

// Plain strings with a pattern, not JSON Schema "format": a validator without format support
// would skip a format, but never a pattern.
const isoDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/)
  .describe("UTC date and time, ISO 8601");
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe("UTC date, YYYY-MM-DD");

export const evidenceTestSchema = z
  .object({
    id: z.string(),
    database: z.object({ name: z.string(), environment: z.string() }).strict(),
    month: z.string().regex(/^\d{4}-\d{2}$/),
    status: testStatusSchema,
    startedAt: isoDateTime,
    finishedAt: isoDateTime.nullable(),
    runId: z.string().nullable(),
    startedBy: z.string().describe("who started the test (an e-mail, or the schedule)"),
    backup: z
      .object({
        key: z.string().nullable(),
        location: z.string().nullable(),
        sizeBytes: z.number().int().nonnegative().nullable(),
        createdAt: isoDateTime.nullable(),
        ageHoursAtTest: z.number().nonnegative().nullable().describe("hours between the backup and the test's start"),
        sha256: z.string().nullable(),
      })
      .strict(),
    restore: z
      .object({
        ms: z.number().int().nonnegative().nullable(),
        rtoMinutes: z.number().int().nonnegative(),
        withinRto: z.boolean().nullable(),
      })
      .strict(),
    tableCounts: tableCountsSchema,
    queryResults: queryResultsSchema,
    findings: findingsSchema,
    scratch: z
      .object({
        database: z.string().nullable(),
        keptUntil: isoDateTime.nullable(),
        droppedAt: isoDateTime.nullable(),
      })
      .strict(),
    signatures: z
      .object({
        performedBy: z.string().nullable(),
        performedAt: isoDateTime.nullable(),
        reason: z.string(),
        countersignedBy: z.string().nullable(),
        countersignedAt: isoDateTime.nullable(),
        lockedAt: isoDateTime.nullable(),
      })
      .strict(),
    remarks: z.array(z.object({ at: isoDateTime, by: z.string(), text: z.string() }).strict()),
    actionItems: z.array(
      z
        .object({
          text: z.string(),
          owner: z.string(),
          dueDate: isoDay,
          closedAt: isoDateTime.nullable(),
          closedBy: z.string().nullable(),
        })
        .strict(),
    ),
    auditTrail: z.array(
      z
        .object({
          seq: z.number().int().nullable(),
          at: isoDateTime,
          actor: z.string(),
          action: z.string(),
          detail: z.string(),
          hash: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict();
export type EvidenceTest = z.infer<typeof evidenceTestSchema>;

export const evidenceSchema = z
  .object({
    schema: z.literal(EVIDENCE_SCHEMA_ID),
    version: z.literal(EVIDENCE_VERSION),
    generatedAt: isoDateTime,
    generatedBy: z.string(),
    range: z.object({ from: isoDay, to: isoDay }).strict().nullable().describe("null for a single test"),
    tests: z.array(evidenceTestSchema),
  })
  .strict();
export type Evidence = z.infer<typeof evidenceSchema>;

/** The published JSON Schema (draft 2020-12), generated from the zod schema. */
export function evidenceJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(evidenceSchema, { target: "draft-2020-12", io: "output" }) as Record<
    string,
    unknown
  >;
  return {
    $schema: generated.$schema,
    $id: EVIDENCE_SCHEMA_ID,
    title: "Lifeboat monthly backup test evidence",
    description:
      "Monthly backup tests as Lifeboat recorded them: what was tested, the measured numbers, the signatures, remarks, action items and the audit trail of each record.",
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== "$schema")),
  };
}

/** The row a test record is stored as, with what belongs to it (Prisma's shape, dates as Date). */
export type StoredTest = {
  id: string;
  month: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  runId: string | null;
  backupKey: string | null;
  backupLocation: string | null;
  backupSizeBytes: bigint | null;
  backupCreatedAt: Date | null;
  backupSha256: string | null;
  restoreMs: number | null;
  rtoMinutes: number;
  scratchDatabase: string | null;
  scratchKeepUntil: Date | null;
  scratchDroppedAt: Date | null;
  performedBy: string | null;
  performedAt: Date | null;
  signReason: string;
  countersignedBy: string | null;
  countersignedAt: Date | null;
  lockedAt: Date | null;
  createdBy: string;
  database: { name: string; environment: string };
  remarks: { at: Date; by: string; text: string }[];
  actions: { text: string; owner: string; dueDate: Date; closedAt: Date | null; closedBy: string | null }[];
};
export type StoredAudit = {
  seq: number | null;
  at: Date;
  actorEmail: string;
  action: string;
  detail: string;
  hash: string | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A record as evidence; the JSON columns already parsed with their schemas. */
export function toEvidenceTest(
  t: StoredTest,
  parsed: Pick<EvidenceTest, "tableCounts" | "queryResults" | "findings">,
  audit: readonly StoredAudit[],
): EvidenceTest {
  const ageMs = t.backupCreatedAt ? t.startedAt.getTime() - t.backupCreatedAt.getTime() : null;
  return {
    id: t.id,
    database: { name: t.database.name, environment: t.database.environment },
    month: t.month,
    status: testStatusSchema.catch("failed").parse(t.status),
    startedAt: t.startedAt.toISOString(),
    finishedAt: iso(t.finishedAt),
    runId: t.runId,
    startedBy: t.createdBy,
    backup: {
      key: t.backupKey,
      location: t.backupLocation,
      sizeBytes: t.backupSizeBytes === null ? null : Number(t.backupSizeBytes),
      createdAt: iso(t.backupCreatedAt),
      ageHoursAtTest: ageMs === null ? null : Math.max(0, Math.round(ageMs / 36_000) / 100),
      sha256: t.backupSha256,
    },
    restore: {
      ms: t.restoreMs,
      rtoMinutes: t.rtoMinutes,
      withinRto: t.restoreMs === null ? null : t.restoreMs <= t.rtoMinutes * 60_000,
    },
    tableCounts: parsed.tableCounts,
    queryResults: parsed.queryResults,
    findings: parsed.findings,
    scratch: { database: t.scratchDatabase, keptUntil: iso(t.scratchKeepUntil), droppedAt: iso(t.scratchDroppedAt) },
    signatures: {
      performedBy: t.performedBy,
      performedAt: iso(t.performedAt),
      reason: t.signReason,
      countersignedBy: t.countersignedBy,
      countersignedAt: iso(t.countersignedAt),
      lockedAt: iso(t.lockedAt),
    },
    remarks: t.remarks.map((r) => ({ at: r.at.toISOString(), by: r.by, text: r.text })),
    actionItems: t.actions.map((a) => ({
      text: a.text,
      owner: a.owner,
      dueDate: a.dueDate.toISOString().slice(0, 10),
      closedAt: iso(a.closedAt),
      closedBy: a.closedBy,
    })),
    auditTrail: audit.map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      actor: e.actorEmail,
      action: e.action,
      detail: e.detail,
      hash: e.hash,
    })),
  };
}

/** The CSV's columns, in order, each with how it is read from a test's evidence. */
export const EVIDENCE_CSV_COLUMNS: readonly [string, (t: EvidenceTest) => string | number | null][] = [
  ["test id", (t) => t.id],
  ["database", (t) => t.database.name],
  ["environment", (t) => t.database.environment],
  ["month", (t) => t.month],
  ["status", (t) => t.status],
  ["started at (UTC)", (t) => t.startedAt],
  ["finished at (UTC)", (t) => t.finishedAt],
  ["started by", (t) => t.startedBy],
  ["backup key", (t) => t.backup.key],
  ["backup location", (t) => t.backup.location],
  ["backup size (bytes)", (t) => t.backup.sizeBytes],
  ["backup created at (UTC)", (t) => t.backup.createdAt],
  ["backup age at test (hours)", (t) => t.backup.ageHoursAtTest],
  ["backup sha256", (t) => t.backup.sha256],
  ["restore time (ms)", (t) => t.restore.ms],
  ["RTO (minutes)", (t) => t.restore.rtoMinutes],
  ["within RTO", (t) => (t.restore.withinRto === null ? null : t.restore.withinRto ? "yes" : "no")],
  ["tables", (t) => t.tableCounts.length],
  ["tables matching", (t) => t.tableCounts.filter((c) => c.ok).length],
  ["queries", (t) => t.queryResults.length],
  ["queries passed", (t) => t.queryResults.filter((q) => q.ok).length],
  ["table counts (JSON)", (t) => JSON.stringify(t.tableCounts)],
  ["query results (JSON)", (t) => JSON.stringify(t.queryResults)],
  ["findings (JSON)", (t) => JSON.stringify(t.findings)],
  ["performed by", (t) => t.signatures.performedBy],
  ["performed at (UTC)", (t) => t.signatures.performedAt],
  ["reason", (t) => t.signatures.reason],
  ["countersigned by", (t) => t.signatures.countersignedBy],
  ["countersigned at (UTC)", (t) => t.signatures.countersignedAt],
  ["locked at (UTC)", (t) => t.signatures.lockedAt],
  ["remarks (JSON)", (t) => JSON.stringify(t.remarks)],
  ["action items (JSON)", (t) => JSON.stringify(t.actionItems)],
  ["audit events", (t) => t.auditTrail.length],
];

/** RFC 4180 CSV, one row per test; cells a spreadsheet would run as a formula start with '. */
export function evidenceCsv(tests: readonly EvidenceTest[]): string {
  return toCsv(
    EVIDENCE_CSV_COLUMNS.map(([name]) => name),
    tests.map((t) => EVIDENCE_CSV_COLUMNS.map(([, read]) => read(t))),
  );
}

/** What a CSV cell holds for `value` (the test's side of a field-by-field comparison). */
export function csvText(value: string | number | null): string {
  const cell = csvCell(value);
  return cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
}
