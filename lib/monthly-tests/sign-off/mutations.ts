import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/session";
import {
  closeActionRefusal,
  countersignRefusal,
  lockedRefusal,
  signRefusal,
  type addRemarkSchema,
  type closeActionSchema,
  type countersignTestSchema,
  type signTestSchema,
} from "@/lib/monthly-tests/sign-off/rules";

// Called only through ./commands.ts (role, input, audit event, one transaction). Each write is
// conditional on the facts the rule was checked against, so two people signing at once cannot
// both succeed: the loser is refused with what is there now.

async function record(testId: string) {
  const t = await db.backupTest.findUnique({
    where: { id: testId },
    include: { database: { select: { name: true } } },
  });
  if (!t) throw new NotFoundError("The monthly test record");
  return t;
}

export async function signTest(input: z.output<typeof signTestSchema>, user: SessionUser, now = new Date()) {
  const t = await record(input.testId);
  const refusal = signRefusal(t, input, now);
  if (refusal) throw new UserError(refusal, 409);
  const reason = input.reason.trim();
  const changed = await db.backupTest.updateMany({
    where: { id: t.id, performedBy: null, lockedAt: null, status: t.status },
    data: { performedBy: user.email, performedAt: now, signReason: reason },
  });
  if (changed.count !== 1) {
    const again = signRefusal(await record(t.id), input, now);
    throw new UserError(again ?? "The record changed while you signed it; reload the page and try again.", 409);
  }
  for (const a of input.actions) {
    await db.backupTestAction.create({
      data: { testId: t.id, text: a.text, owner: a.owner, dueDate: new Date(`${a.dueDate}T00:00:00Z`) },
    });
  }
  return {
    testId: t.id,
    database: t.database.name,
    month: t.month,
    status: t.status,
    performedBy: user.email,
    actionItems: input.actions.length,
  };
}

export async function countersignTest(
  input: z.output<typeof countersignTestSchema>,
  user: SessionUser,
  now = new Date(),
) {
  const t = await record(input.testId);
  const refusal = countersignRefusal(t, user.email);
  if (refusal) throw new UserError(refusal, refusal.startsWith("You (") ? 403 : 409);
  const changed = await db.backupTest.updateMany({
    where: { id: t.id, countersignedBy: null, lockedAt: null, performedBy: t.performedBy },
    data: { countersignedBy: user.email, countersignedAt: now, lockedAt: now },
  });
  if (changed.count !== 1) {
    const again = countersignRefusal(await record(t.id), user.email);
    throw new UserError(again ?? "The record changed while you countersigned it; reload the page and try again.", 409);
  }
  return { testId: t.id, database: t.database.name, month: t.month, status: t.status, performedBy: t.performedBy };
}

/** Remarks are appended at any time, locked or not: the only way to add to a locked record. */
export async function addRemark(input: z.output<typeof addRemarkSchema>, user: SessionUser, now = new Date()) {
  const t = await record(input.testId);
  const remark = await db.backupTestRemark.create({
    data: { testId: t.id, text: input.text, by: user.email, at: now },
  });
  return { testId: t.id, remarkId: remark.id, locked: Boolean(t.lockedAt) };
}

/**
 * Closing an action item is allowed on a locked record (the work it asked for happens after the
 * sign-off); it is recorded once, with who and when, and a remark says so on the record.
 */
export async function closeAction(input: z.output<typeof closeActionSchema>, user: SessionUser, now = new Date()) {
  const a = await db.backupTestAction.findUnique({ where: { id: input.actionId } });
  if (!a) throw new NotFoundError("The action item");
  const refusal = closeActionRefusal(a);
  if (refusal) throw new UserError(refusal, 409);
  const changed = await db.backupTestAction.updateMany({
    where: { id: a.id, closedAt: null },
    data: { closedAt: now, closedBy: user.email },
  });
  if (changed.count !== 1) throw new UserError("This action item was closed meanwhile; reload the page.", 409);
  await db.backupTestRemark.create({
    data: {
      testId: a.testId,
      text: `Action item closed: ${a.text}${input.note ? ` — ${input.note}` : ""}`,
      by: user.email,
      at: now,
    },
  });
  return { actionId: a.id, testId: a.testId, text: a.text };
}

/** For other write paths on a record (the test run): refuses a locked record with the same words. */
export async function assertNotLocked(testId: string): Promise<void> {
  const t = await record(testId);
  const locked = lockedRefusal(t);
  if (locked) throw new UserError(locked, 409);
}
