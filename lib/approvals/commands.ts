import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { approvalActionSchema } from "@/lib/approvals/rules";
import {
  approveRequest,
  breakGlass,
  breakGlassReasonSchema,
  declineRequest,
  requestApproval,
} from "@/lib/approvals/mutations";

// The two-person rule's writes. An operator requests an approval of a destructive step; an
// approver who did not plan, confirm or request it approves or declines; in an emergency an admin
// breaks the glass with a written reason, which the audit log records under its own action.

const subjectId = z.string().min(1).max(200);
const approvalId = z.string().min(1).max(200);

export const requestApprovalCommand = defineCommand({
  name: "approvals.request",
  role: "operator",
  input: z.object({ action: approvalActionSchema, subjectId }),
  handler: (input, user) => requestApproval(input, user),
  audit: {
    action: "approval.request",
    targetType: "approval",
    targetId: (_, r) => r.approvalId,
    detail: (_, r) => ({
      action: r.action,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      expiresAt: r.expiresAt.toISOString(),
      existing: r.existing,
    }),
  },
});

export const approveCommand = defineCommand({
  name: "approvals.approve",
  role: "approver",
  input: z.object({ approvalId }),
  handler: (input, user) => approveRequest(input, user),
  audit: {
    action: "approval.approve",
    targetType: "approval",
    targetId: (_, r) => r.approvalId,
    detail: (_, r) => ({
      action: r.action,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      expiresAt: r.expiresAt.toISOString(),
    }),
  },
});

export const declineCommand = defineCommand({
  name: "approvals.decline",
  role: "approver",
  input: z.object({ approvalId, reason: z.string().max(2000).optional() }),
  handler: (input, user) => declineRequest(input, user),
  audit: {
    action: "approval.decline",
    targetType: "approval",
    targetId: (_, r) => r.approvalId,
    detail: (input, r) => ({
      action: r.action,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      reason: input.reason?.trim() || null,
    }),
  },
});

export const breakGlassCommand = defineCommand({
  name: "approvals.break-glass",
  role: "admin",
  input: z.object({ action: approvalActionSchema, subjectId, reason: breakGlassReasonSchema }),
  handler: (input, user) => breakGlass(input, user),
  audit: {
    action: "approval.break_glass",
    targetType: "approval",
    targetId: (_, r) => r.approvalId,
    detail: (_, r) => ({
      breakGlass: true,
      action: r.action,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      environment: r.environment,
      summary: r.summary,
      reason: r.reason,
      expiresAt: r.expiresAt.toISOString(),
    }),
  },
});
