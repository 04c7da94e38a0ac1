import { z } from "zod";
import { cronProblem } from "@/lib/schedules/cron";
import { caCertProblem, SSL_MODES } from "@/lib/postgres/tls";
import { QUERY_COMPARATORS } from "@/lib/monthly-tests/record-schemas";
import { checkValidationQuery } from "@/lib/monthly-tests/query-safety";

// A database's monthly test plan as the form sends it. Pure: the form, the command and the tests
// share it. The production refusal needs Lifeboat's database and lives in plan.ts.

export const DEFAULT_TEST_CRON = "0 3 * * MON#1";
export const BACKUP_CHOICES = ["newest", "newest_verified", "random_recent"] as const;
export const BACKUP_CHOICE_LABELS: Record<(typeof BACKUP_CHOICES)[number], string> = {
  newest: "the newest backup",
  newest_verified: "the newest verified backup",
  random_recent: "a random backup of the last N days",
};
export const CREATION_MODES = ["scheduled", "fresh"] as const;
export const CREATION_LABELS: Record<(typeof CREATION_MODES)[number], string> = {
  scheduled: "check the newest scheduled backup was made on time",
  fresh: "take a fresh backup first (through a backup run)",
};
export const COMPARATOR_LABELS: Record<(typeof QUERY_COMPARATORS)[number], string> = {
  gte: "at least",
  lte: "at most",
  eq: "equal to",
  eq_manifest: "equal to the manifest's count of",
};

/** Scratch names are <prefix><yyyymmdd>_<8 chars>: the prefix leaves room within 63 bytes. */
export const MAX_SCRATCH_PREFIX = 40;
const SCRATCH_PREFIX_PATTERN = /^[a-z_][a-z0-9_]*$/;

/** Why the prefix cannot name scratch databases, or null. */
export function scratchPrefixProblem(prefix: string): string | null {
  if (prefix.length < 3) return "Use a prefix of at least 3 characters, e.g. lifeboat_test_.";
  if (prefix.length > MAX_SCRATCH_PREFIX) return `Use at most ${MAX_SCRATCH_PREFIX} characters.`;
  if (!SCRATCH_PREFIX_PATTERN.test(prefix))
    return "Use lower-case letters, digits and underscores, starting with a letter or an underscore (e.g. lifeboat_test_).";
  if (prefix.startsWith("pg_")) return "Names starting with pg_ are reserved by PostgreSQL.";
  return null;
}

const TABLE_NAME = /^(?:[A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/;

const wholeNumber = (label: string, min: number, max: number) =>
  z.coerce
    .number({ message: `${label} must be a number` })
    .int({ message: `${label} must be a whole number` })
    .min(min, { message: `${label} must be at least ${min}` })
    .max(max, { message: `${label} must be at most ${max}` });

export const testQueryInputSchema = z
  .object({
    name: z.string().trim().min(1, { message: "Name the query, e.g. Users exist" }).max(120),
    sql: z.string().max(20_000),
    comparator: z.enum(QUERY_COMPARATORS, { message: "Choose how the result is compared" }),
    expected: z
      .string()
      .trim()
      .max(200)
      .transform((v) => (v === "" ? null : v))
      .nullish()
      .transform((v) => v ?? null),
    manifestTable: z
      .string()
      .trim()
      .max(130)
      .transform((v) => (v === "" ? null : v))
      .nullish()
      .transform((v) => v ?? null),
  })
  .superRefine((q, ctx) => {
    const check = checkValidationQuery(q.sql);
    if (!check.ok) ctx.addIssue({ code: "custom", path: ["sql"], message: check.problem });
    if (q.comparator === "eq_manifest") {
      if (!q.manifestTable || !TABLE_NAME.test(q.manifestTable))
        ctx.addIssue({
          code: "custom",
          path: ["manifestTable"],
          message: "Name the table whose manifest count it must equal, e.g. users or public.users.",
        });
    } else if (q.expected === null) {
      ctx.addIssue({ code: "custom", path: ["expected"], message: "Enter the expected value, e.g. 1000." });
    } else if (q.comparator !== "eq" && !Number.isFinite(Number(q.expected))) {
      ctx.addIssue({
        code: "custom",
        path: ["expected"],
        message: "At least / at most compare numbers: enter a number, e.g. 1000.",
      });
    }
  })
  .transform((q) => ({ ...q, sql: q.sql.trim() }));
export type TestQueryInput = z.output<typeof testQueryInputSchema>;

export const saveTestPlanSchema = z
  .object({
    databaseId: z.string().min(1),
    enabled: z.boolean().default(true),
    /** Empty: on demand only. */
    cron: z
      .string()
      .trim()
      .max(100)
      .transform((v) => (v === "" ? null : v))
      .nullish()
      .transform((v) => v ?? null),
    backupChoice: z.enum(BACKUP_CHOICES, { message: "Choose which backup is tested" }),
    randomDays: wholeNumber("The number of days", 1, 3650).default(30),
    creation: z.enum(CREATION_MODES, { message: "Choose how the creation step works" }),
    creationMaxAgeHours: wholeNumber("The age limit", 1, 24 * 90).default(26),
    testHost: z
      .string()
      .trim()
      .min(1, { message: "Enter the test server's host" })
      .max(255)
      // A host name or address, or the absolute path of a socket directory on the console's machine.
      .refine((h) => (h.startsWith("/") ? !/[\s\u0000-\u001f]/.test(h) : !/[\s/]/.test(h)), {
        message: "A host has no spaces or slashes (or is a socket directory such as /var/run/postgresql)",
      }),
    testPort: wholeNumber("Port", 1, 65535).default(5432),
    testUser: z.string().trim().min(1, { message: "Enter the user" }).max(63),
    /** Write-only: empty keeps the stored password. */
    testPassword: z.string().max(1024).default(""),
    clearTestPassword: z.boolean().default(false),
    testSslmode: z.enum(SSL_MODES, { message: "Choose the TLS mode" }),
    testSslRootCert: z
      .string()
      .trim()
      .transform((v) => (v === "" ? null : v))
      .superRefine((v, ctx) => {
        const problem = v === null ? null : caCertProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .nullish()
      .transform((v) => v ?? null),
    scratchPrefix: z
      .string()
      .trim()
      .superRefine((v, ctx) => {
        const problem = scratchPrefixProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    keepScratchHours: wholeNumber("Hours to keep", 0, 24 * 14).default(0),
    queryTimeoutSeconds: wholeNumber("The query timeout", 1, 3600).default(30),
    queries: z.array(testQueryInputSchema).max(50, { message: "At most 50 validation queries." }).default([]),
  })
  .superRefine((p, ctx) => {
    if (p.cron !== null) {
      const problem = cronProblem(p.cron);
      if (problem) ctx.addIssue({ code: "custom", path: ["cron"], message: problem });
    }
  });
export type SaveTestPlanInput = z.input<typeof saveTestPlanSchema>;
export type SaveTestPlan = z.output<typeof saveTestPlanSchema>;
