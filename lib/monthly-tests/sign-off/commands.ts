import "server-only";
import { defineCommand } from "@/lib/actions/define-command";
import {
  addRemarkSchema,
  closeActionSchema,
  countersignTestSchema,
  signTestSchema,
} from "@/lib/monthly-tests/sign-off/rules";
import { addRemark, closeAction, countersignTest, signTest } from "@/lib/monthly-tests/sign-off/mutations";

// The sign-off of a monthly test record. Each change and its audit event commit together.

export const signTestCommand = defineCommand({
  name: "monthly-tests.sign",
  transaction: true,
  role: "operator",
  input: signTestSchema,
  handler: (input, user) => signTest(input, user),
  audit: {
    action: "monthly_test.sign",
    targetType: "backup_test",
    targetId: (_, r) => r.testId,
    detail: (_, r) => ({ database: r.database, month: r.month, status: r.status, actionItems: r.actionItems }),
  },
});

export const countersignTestCommand = defineCommand({
  name: "monthly-tests.countersign",
  transaction: true,
  role: "approver",
  input: countersignTestSchema,
  handler: (input, user) => countersignTest(input, user),
  audit: {
    action: "monthly_test.countersign",
    targetType: "backup_test",
    targetId: (_, r) => r.testId,
    detail: (_, r) => ({ database: r.database, month: r.month, status: r.status, performedBy: r.performedBy }),
  },
});

export const addTestRemarkCommand = defineCommand({
  name: "monthly-tests.add-remark",
  transaction: true,
  role: "operator",
  input: addRemarkSchema,
  handler: (input, user) => addRemark(input, user),
  audit: {
    action: "monthly_test.remark",
    targetType: "backup_test",
    targetId: (_, r) => r.testId,
    detail: (_, r) => ({ remarkId: r.remarkId, locked: r.locked }),
  },
});

export const closeTestActionCommand = defineCommand({
  name: "monthly-tests.close-action",
  transaction: true,
  role: "operator",
  input: closeActionSchema,
  handler: (input, user) => closeAction(input, user),
  audit: {
    action: "monthly_test.close_action",
    targetType: "backup_test",
    targetId: (_, r) => r.testId,
    detail: (_, r) => ({ actionId: r.actionId }),
  },
});
