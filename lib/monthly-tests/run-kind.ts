import { z } from "zod";

// A monthly test is a Run of the runner whose scenarioId is "monthly-test" (restores use the
// scenario registry's ids, backups "backup"). Plain TypeScript: the run page tells them apart.

export const MONTHLY_TEST_SCENARIO = "monthly-test";
export const MONTHLY_TEST_VERSION = 1;

export const isMonthlyTestRun = (scenarioId: string): boolean => scenarioId === MONTHLY_TEST_SCENARIO;

export const TEST_TRIGGERS = ["manual", "schedule"] as const;

/** What a monthly test run keeps in Run.options: enough to rebuild the same plan. */
export const monthlyTestOptionsSchema = z.object({
  testId: z.string().min(1),
  planId: z.string().min(1),
  scratch: z.string().min(1),
  trigger: z.enum(TEST_TRIGGERS),
  requestedBy: z.string(),
  dueAt: z.string().optional(),
});
export type MonthlyTestOptions = z.output<typeof monthlyTestOptionsSchema>;

/** "2026-12" (UTC): the month a test counts for. */
export function testMonth(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** <prefix><yyyymmdd>_<8 lower-case letters or digits>: unique per run, recognisable by the sweep. */
export function scratchNameFor(prefix: string, at: Date, shortId: string): string {
  const day = at.toISOString().slice(0, 10).replace(/-/g, "");
  return `${prefix}${day}_${shortId}`;
}

/** Only names a monthly test made for this prefix are ever dropped. */
export function isTestScratchName(prefix: string, name: string): boolean {
  return name.startsWith(prefix) && /^\d{8}_[a-z0-9]{8}$/.test(name.slice(prefix.length));
}
