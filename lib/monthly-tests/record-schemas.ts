import { z } from "zod";

// The shapes of a monthly test record's JSON columns (BackupTest.tableCounts, queryResults,
// findings). The test run writes them; the record page, the calendar and the evidence exports
// read them through parseStoredJson with these schemas.

export const TEST_STATUSES = ["running", "passed", "failed", "partial"] as const;
export const testStatusSchema = z.enum(TEST_STATUSES);
export type TestStatus = z.infer<typeof testStatusSchema>;

/** The guide's four steps, in order; every finding names the step that found it. */
export const TEST_STEPS = ["creation", "integrity", "restore", "record"] as const;
export const testStepSchema = z.enum(TEST_STEPS);

/** One table's rows: the manifest's count (null without a trusted manifest) and the restored count. */
export const tableCountSchema = z.object({
  schema: z.string(),
  table: z.string(),
  manifest: z.number().int().nonnegative().nullable(),
  restored: z.number().int().nonnegative(),
  ok: z.boolean(),
});
export const tableCountsSchema = z.array(tableCountSchema);
export type TableCount = z.infer<typeof tableCountSchema>;

export const QUERY_COMPARATORS = ["gte", "lte", "eq", "eq_manifest"] as const;
export const queryComparatorSchema = z.enum(QUERY_COMPARATORS);

/** One validation query as it ran: the expectation, the value it returned, and the verdict. */
export const queryResultSchema = z.object({
  name: z.string(),
  sql: z.string(),
  comparator: queryComparatorSchema,
  // The expected value as the admin wrote it, or the manifest's count for eq_manifest.
  expected: z.string().nullable(),
  // The first column of the first row, as text (null: SQL NULL or the query failed).
  actual: z.string().nullable(),
  ok: z.boolean(),
  // Why it failed to run (timeout, error, refused write), in words; null when it ran.
  error: z.string().nullable(),
  ms: z.number().int().nonnegative(),
});
export const queryResultsSchema = z.array(queryResultSchema);
export type QueryResult = z.infer<typeof queryResultSchema>;

export const findingSchema = z.object({
  step: testStepSchema,
  severity: z.enum(["error", "warning", "info"]),
  text: z.string(),
});
export const findingsSchema = z.array(findingSchema);
export type Finding = z.infer<typeof findingSchema>;
