"use server";

import { withRevalidation } from "@/lib/actions/define-command";
import { deleteTestPlanCommand, runTestNowCommand, saveTestPlanCommand } from "@/lib/monthly-tests/commands";

// Each write is declared in lib/monthly-tests/commands.ts (role, input, audit event, handler).

export const saveTestPlanAction = withRevalidation(saveTestPlanCommand, "/tests/plans", "/tests");
export const deleteTestPlanAction = withRevalidation(deleteTestPlanCommand, "/tests/plans", "/tests");
export const runTestNowAction = withRevalidation(runTestNowCommand, "/tests", "/tests/plans");
