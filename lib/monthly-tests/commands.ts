import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { saveTestPlanSchema } from "@/lib/monthly-tests/plan-schema";
import { deleteTestPlan, saveTestPlan } from "@/lib/monthly-tests/plan";
import { startMonthlyTest } from "@/lib/monthly-tests/test-run";

// Monthly tests: an admin's test plan per database; an operator's "Run test now". (Signing the
// records is lib/monthly-tests/sign-off.)

export const saveTestPlanCommand = defineCommand({
  name: "monthly-tests.save-plan",
  role: "admin",
  input: saveTestPlanSchema,
  // Not in one transaction with the audit event: the handler seals a password and reads every
  // database entry for the production check (quick, but no tool or network either way).
  handler: (input) => saveTestPlan(input),
  audit: {
    action: "test_plan.save",
    targetType: "database",
    targetId: (_, r) => r.databaseId,
    detail: (input, r) => ({
      database: r.databaseName,
      cron: input.cron,
      enabled: input.enabled,
      backupChoice: input.backupChoice,
      creation: input.creation,
      testServer: r.testServer,
      queries: r.queries,
      passwordChanged: r.passwordChanged,
    }),
  },
});

export const deleteTestPlanCommand = defineCommand({
  name: "monthly-tests.delete-plan",
  role: "admin",
  input: z.object({ databaseId: z.string().min(1) }),
  transaction: true,
  handler: (input) => deleteTestPlan(input),
  audit: {
    action: "test_plan.delete",
    targetType: "database",
    targetId: (input) => input.databaseId,
    detail: (_, r) => ({ database: r.databaseName }),
  },
});

export const runTestNowCommand = defineCommand({
  name: "monthly-tests.run-now",
  role: "operator",
  input: z.object({ databaseId: z.string().min(1) }),
  handler: async (input, user) => {
    const { runId, testId } = await startMonthlyTest(
      { databaseId: input.databaseId, trigger: "manual", requestedBy: user.email },
      user,
    );
    return { runId, testId };
  },
  // The runner writes run.plan and run.start with the run's first log line.
  audit: { action: "run.start", recordedBy: "runner" },
});
