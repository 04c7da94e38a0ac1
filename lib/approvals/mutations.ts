import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { AuthError, NotFoundError, UserError } from "@/lib/errors";
import type { Tx } from "@/lib/runner/lock";
import { parseStoredJson } from "@/lib/stored-json";
import { approvalNow, approvalValidityMs, twoPersonEnvironments } from "@/lib/approvals/config";
import {
  ACTION_WORDS,
  BREAK_GLASS_REASON_MIN,
  approvalState,
  approvalUseRefusal,
  bindingChanges,
  bindingSchema,
  selfApprovalRefusal,
  twoPersonRuleApplies,
  type ApprovalAction,
} from "@/lib/approvals/rules";
import { resolveSubject, subjectTypeOf, type ApprovalSubject } from "@/lib/approvals/subjects";

// The two-person rule's writes, without authorization (lib/approvals/commands.ts checks the role
// first). Every check that matters is made on rows read inside the transaction that writes, so
// two approvers clicking at once, or a step ticked twice, cannot use one approval twice.

export type Approver = { id: string; email: string };

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** A line in the run's own log, when the subject is a run (other subjects have the audit log only). */
async function runLog(tx: Tx, subject: ApprovalSubject, text: string, stream: "info" | "error" = "info") {
  if (subject.subjectType !== "run") return;
  await tx.runLog.create({
    data: { runId: subject.subjectId, stepIndex: subject.stepIndex, at: approvalNow(), stream, text },
  });
}

function requireRuleApplies(subject: ApprovalSubject, action: ApprovalAction) {
  if (!twoPersonRuleApplies(subject.environment, twoPersonEnvironments()))
    throw new UserError(
      `The ${ACTION_WORDS[action]} on a ${subject.environment} database needs no second person's approval here (LIFEBOAT_TWO_PERSON_ENVIRONMENTS): go ahead with the step itself.`,
      409,
    );
}

function readyOrThrow(subject: ApprovalSubject) {
  if (subject.notReady) throw new UserError(subject.notReady, 409);
}

export type ApprovalRef = { approvalId: string; action: ApprovalAction; subjectType: string; subjectId: string };

/**
 * An operator asks for an approval of `action` on the subject as it is now. Asking again while a
 * request or an approval is still valid returns that one instead of a second row.
 */
export async function requestApproval(
  input: { action: ApprovalAction; subjectId: string },
  user: Approver,
): Promise<ApprovalRef & { expiresAt: Date; existing: boolean }> {
  const subjectType = subjectTypeOf(input.action);
  return db.$transaction(async (tx) => {
    const subject = await resolveSubject(tx, input.action, input.subjectId);
    requireRuleApplies(subject, input.action);
    readyOrThrow(subject);
    const now = approvalNow();
    const open = await tx.approval.findFirst({
      where: {
        action: input.action,
        subjectType,
        subjectId: subject.subjectId,
        status: { in: ["pending", "approved"] },
        expiresAt: { gt: now },
      },
      orderBy: { requestedAt: "desc" },
    });
    // A request for facts that changed since (a resumed run re-planned) is replaced, not reused.
    if (open && bindingChanges(parseBinding(open.binding), subject.binding).length === 0)
      return {
        approvalId: open.id,
        action: input.action,
        subjectType,
        subjectId: subject.subjectId,
        expiresAt: open.expiresAt,
        existing: true,
      };
    await tx.approval.updateMany({
      where: { action: input.action, subjectType, subjectId: subject.subjectId, status: "pending" },
      data: { status: "withdrawn" },
    });
    const expiresAt = new Date(now.getTime() + approvalValidityMs());
    const created = await tx.approval.create({
      data: {
        action: input.action,
        subjectType,
        subjectId: subject.subjectId,
        kind: "two_person",
        status: "pending",
        environment: subject.environment,
        summary: subject.summary,
        binding: JSON.stringify(subject.binding),
        requestedBy: user.email,
        requestedById: user.id,
        requestedAt: now,
        expiresAt,
      },
    });
    await runLog(
      tx,
      subject,
      `Approval of the ${ACTION_WORDS[input.action]} requested by ${user.email}; an approver who did not plan, confirm or request this run must approve it before ${utc(expiresAt)}.`,
    );
    return {
      approvalId: created.id,
      action: input.action,
      subjectType,
      subjectId: subject.subjectId,
      expiresAt,
      existing: false,
    };
  });
}

function parseBinding(text: string) {
  return parseStoredJson(text, bindingSchema, "approval's binding (Approval.binding)");
}

async function pendingApproval(tx: Tx, approvalId: string, now: Date) {
  const a = await tx.approval.findUnique({ where: { id: approvalId } });
  if (!a) throw new NotFoundError("The approval request");
  const state = approvalState(a, now);
  if (state !== "pending")
    throw new UserError(
      state === "expired"
        ? `This request expired at ${utc(a.expiresAt)} unanswered: the operator must request approval again.`
        : `This request is already ${state}${a.decidedBy ? ` (by ${a.decidedBy})` : ""}. Reload the page.`,
      409,
    );
  return { ...a, action: a.action as ApprovalAction };
}

/**
 * An approver approves a pending request. Refused when they asked for it or planned or confirmed
 * the run, or when what they would approve is no longer what was requested.
 */
export async function approveRequest(
  input: { approvalId: string },
  user: Approver,
): Promise<ApprovalRef & { expiresAt: Date }> {
  return db.$transaction(async (tx) => {
    const now = approvalNow();
    const a = await pendingApproval(tx, input.approvalId, now);
    const subject = await resolveSubject(tx, a.action, a.subjectId);
    const self = selfApprovalRefusal(user.email, [a.requestedBy, ...subject.requesters]);
    if (self) throw new AuthError(403, self);
    readyOrThrow(subject);
    const changes = bindingChanges(parseBinding(a.binding), subject.binding);
    if (changes.length > 0)
      throw new UserError(
        `Since this was requested, ${changes.join("; ")}. Nothing was approved: the operator must request approval again.`,
        409,
      );
    const expiresAt = new Date(now.getTime() + approvalValidityMs());
    const { count } = await tx.approval.updateMany({
      where: { id: a.id, status: "pending" },
      data: { status: "approved", decidedBy: user.email, decidedById: user.id, decidedAt: now, expiresAt },
    });
    if (count !== 1) throw new UserError("Someone answered this request a moment ago. Reload the page.", 409);
    await runLog(
      tx,
      subject,
      `The ${ACTION_WORDS[a.action]} was approved by ${user.email} (requested by ${a.requestedBy}); the approval can be used once, until ${utc(expiresAt)}.`,
    );
    return { approvalId: a.id, action: a.action, subjectType: a.subjectType, subjectId: a.subjectId, expiresAt };
  });
}

export async function declineRequest(
  input: { approvalId: string; reason?: string | undefined },
  user: Approver,
): Promise<ApprovalRef> {
  const reason = input.reason?.trim() ? input.reason.trim().slice(0, 2000) : null;
  return db.$transaction(async (tx) => {
    const now = approvalNow();
    const a = await pendingApproval(tx, input.approvalId, now);
    const { count } = await tx.approval.updateMany({
      where: { id: a.id, status: "pending" },
      data: { status: "declined", decidedBy: user.email, decidedById: user.id, decidedAt: now, reason },
    });
    if (count !== 1) throw new UserError("Someone answered this request a moment ago. Reload the page.", 409);
    if (a.subjectType === "run") {
      const subject = await resolveSubject(tx, a.action, a.subjectId);
      await runLog(
        tx,
        subject,
        `The ${ACTION_WORDS[a.action]} was declined by ${user.email}${reason ? `: ${reason}` : "."}`,
        "error",
      );
    }
    return { approvalId: a.id, action: a.action, subjectType: a.subjectType, subjectId: a.subjectId };
  });
}

export const breakGlassReasonSchema = z
  .string()
  .trim()
  .min(BREAK_GLASS_REASON_MIN, {
    message: `Write why the two-person rule is broken (at least ${BREAK_GLASS_REASON_MIN} characters): it is shown in the audit log and on the dashboard.`,
  })
  .max(2000);

/**
 * An admin's emergency override: an approval without a second person, with a written reason. It
 * is still bound to the facts of now and used once; the audit log and the dashboard shout it.
 */
export async function breakGlass(
  input: { action: ApprovalAction; subjectId: string; reason: string },
  admin: Approver,
): Promise<ApprovalRef & { expiresAt: Date; reason: string; environment: string; summary: string }> {
  const reason = breakGlassReasonSchema.parse(input.reason);
  const subjectType = subjectTypeOf(input.action);
  return db.$transaction(async (tx) => {
    const subject = await resolveSubject(tx, input.action, input.subjectId);
    requireRuleApplies(subject, input.action);
    readyOrThrow(subject);
    const now = approvalNow();
    await tx.approval.updateMany({
      where: {
        action: input.action,
        subjectType,
        subjectId: subject.subjectId,
        status: { in: ["pending", "approved"] },
      },
      data: { status: "withdrawn" },
    });
    const expiresAt = new Date(now.getTime() + approvalValidityMs());
    const created = await tx.approval.create({
      data: {
        action: input.action,
        subjectType,
        subjectId: subject.subjectId,
        kind: "break_glass",
        status: "approved",
        environment: subject.environment,
        summary: subject.summary,
        binding: JSON.stringify(subject.binding),
        requestedBy: admin.email,
        requestedById: admin.id,
        requestedAt: now,
        decidedBy: admin.email,
        decidedById: admin.id,
        decidedAt: now,
        reason,
        expiresAt,
      },
    });
    await runLog(
      tx,
      subject,
      `BREAK GLASS: ${admin.email} overrode the two-person rule for the ${ACTION_WORDS[input.action]}. Reason: ${reason}`,
      "error",
    );
    return {
      approvalId: created.id,
      action: input.action,
      subjectType,
      subjectId: subject.subjectId,
      expiresAt,
      reason,
      environment: subject.environment,
      summary: subject.summary,
    };
  });
}

export type UsedApproval = { approvalId: string; kind: string; decidedBy: string | null; reason: string | null };

/**
 * Uses the approval of `action` on the subject, inside the caller's transaction (the one that
 * completes the step): re-checks every binding, the expiry and the two persons, then marks it
 * used. Throws, so the caller's transaction writes nothing, when there is none or it cannot be used.
 */
export async function consumeApproval(
  tx: Tx,
  input: { action: ApprovalAction; subjectId: string; needsApprovalMessage: string },
  user: Approver,
): Promise<UsedApproval> {
  const subjectType = subjectTypeOf(input.action);
  const now = approvalNow();
  const subject = await resolveSubject(tx, input.action, input.subjectId);
  readyOrThrow(subject);
  const latest = await tx.approval.findFirst({
    where: { action: input.action, subjectType, subjectId: subject.subjectId, status: { not: "withdrawn" } },
    orderBy: { requestedAt: "desc" },
  });
  const approved = await tx.approval.findFirst({
    where: { action: input.action, subjectType, subjectId: subject.subjectId, status: "approved" },
    orderBy: { decidedAt: "desc" },
  });
  const candidate = approved ?? latest;
  if (!candidate) throw new AuthError(403, input.needsApprovalMessage);
  if (candidate.status === "pending" && approvalState(candidate, now) === "pending")
    throw new AuthError(
      403,
      `Waiting for an approver: ${candidate.requestedBy} requested approval of the ${ACTION_WORDS[input.action]} and nobody has approved it yet. Nothing was changed.`,
    );
  if (candidate.status === "declined")
    throw new AuthError(
      403,
      `${candidate.decidedBy ?? "An approver"} declined the ${ACTION_WORDS[input.action]}${candidate.reason ? ` (${candidate.reason})` : ""}. Nothing was changed; request approval again if it should go ahead.`,
    );
  if (candidate.status === "pending")
    throw new AuthError(
      403,
      `The request for approval expired at ${utc(candidate.expiresAt)} unanswered. Nothing was changed: request approval again.`,
    );
  const refusal = approvalUseRefusal(
    {
      kind: candidate.kind,
      status: candidate.status,
      action: candidate.action,
      expiresAt: candidate.expiresAt,
      requestedBy: candidate.requestedBy,
      decidedBy: candidate.decidedBy,
      binding: parseBinding(candidate.binding),
    },
    { action: input.action, now, current: subject.binding, requesters: subject.requesters },
  );
  if (refusal) throw new AuthError(403, refusal);
  const { count } = await tx.approval.updateMany({
    where: { id: candidate.id, status: "approved", usedAt: null },
    data: { status: "used", usedAt: now, usedBy: user.email },
  });
  if (count !== 1) throw new UserError("This approval was used a moment ago by someone else. Reload the page.", 409);
  return {
    approvalId: candidate.id,
    kind: candidate.kind,
    decidedBy: candidate.decidedBy,
    reason: candidate.reason,
  };
}

/** After the step it allowed went through: the run's log and the audit log name the approval used. */
export async function recordApprovalUse(
  used: UsedApproval,
  input: { action: ApprovalAction; subjectId: string; stepIndex: number | null },
  user: Approver,
): Promise<void> {
  const how =
    used.kind === "break_glass"
      ? `the break-glass override of ${used.decidedBy ?? "an admin"} (${used.reason ?? "no reason"})`
      : `the approval of ${used.decidedBy ?? "an approver"}`;
  if (subjectTypeOf(input.action) === "run")
    await db.runLog.create({
      data: {
        runId: input.subjectId,
        stepIndex: input.stepIndex,
        at: approvalNow(),
        stream: "info",
        text: `${user.email} went ahead with the ${ACTION_WORDS[input.action]} under ${how}; it cannot be used again.`,
      },
    });
  await recordAudit(user, {
    action: "approval.use",
    targetType: "approval",
    targetId: used.approvalId,
    detail: { action: input.action, subjectId: input.subjectId, kind: used.kind, approvedBy: used.decidedBy },
  });
}

/** Puts an approval back when what it allowed failed before changing anything (one use means one change). */
export async function returnApproval(approvalId: string): Promise<void> {
  await db.approval.updateMany({
    where: { id: approvalId, status: "used" },
    data: { status: "approved", usedAt: null, usedBy: null },
  });
}
