import { z } from "zod";

// The sign-off of a monthly test, as pure rules shared by the server and the record page: who may
// sign, who may countersign, and why not. The commands (./mutations.ts) enforce exactly these
// inside the write; the page only says them before the click. A locked record is also refused by
// the database itself (triggers), so a write path that forgets to ask still cannot change it.

/** A written reason is this long at least: "ok" or "n/a" explains nothing to an auditor. */
export const MIN_REASON_CHARS = 10;

const isoDay = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Give the due date as YYYY-MM-DD.")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "That due date does not exist.");

export const actionItemInputSchema = z.object({
  text: z.string().trim().min(3, "Say what must be done (3 characters or more).").max(500),
  owner: z.string().trim().min(1, "Name who owns the action item.").max(200),
  dueDate: isoDay,
});
export type ActionItemInput = z.infer<typeof actionItemInputSchema>;

const testId = z.string().trim().min(1, "Which test? Reload the page.").max(100);

export const signTestSchema = z.object({
  testId,
  reason: z.string().max(4000).default(""),
  actions: z.array(actionItemInputSchema).max(20, "At most 20 action items at a time.").default([]),
});
export type SignTestInput = z.infer<typeof signTestSchema>;

export const countersignTestSchema = z.object({ testId });

export const addRemarkSchema = z.object({
  testId,
  text: z.string().trim().min(1, "Write the remark first.").max(4000, "A remark is at most 4000 characters."),
});

export const closeActionSchema = z.object({
  actionId: z.string().trim().min(1, "Which action item? Reload the page.").max(100),
  note: z.string().trim().max(1000).default(""),
});

/** What the rules need to know of a record. */
export type SignFacts = {
  status: string;
  performedBy: string | null;
  performedAt: Date | string | null;
  countersignedBy: string | null;
  countersignedAt: Date | string | null;
  lockedAt: Date | string | null;
  createdBy: string;
};

const same = (a: string | null | undefined, b: string | null | undefined) =>
  Boolean(a && b && a.trim().toLowerCase() === b.trim().toLowerCase());
const utc = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "");

/** Failed and partial tests need a reason and an action item to be signed. */
export function needsReason(status: string): boolean {
  return status === "failed" || status === "partial";
}

export function lockedRefusal(t: Pick<SignFacts, "lockedAt" | "countersignedBy">): string | null {
  if (!t.lockedAt) return null;
  return `This test record was countersigned${t.countersignedBy ? ` by ${t.countersignedBy}` : ""} and locked on ${utc(t.lockedAt)}: it no longer changes. Add a remark instead.`;
}

/** Why `user` cannot sign this test as "performed by" with this reason and these action items, or null. */
export function signRefusal(
  t: SignFacts,
  input: { reason: string; actions: readonly ActionItemInput[] },
  now: Date,
): string | null {
  const locked = lockedRefusal(t);
  if (locked) return locked;
  if (t.status === "running")
    return "The test is still running: sign it when it has finished and its numbers are in the record.";
  if (t.performedBy)
    return `This test was already signed as performed by ${t.performedBy} on ${utc(t.performedAt)}; it now waits for an approver's countersignature.`;
  if (needsReason(t.status)) {
    const missing: string[] = [];
    if (input.reason.trim().length < MIN_REASON_CHARS)
      missing.push(`a written reason (${MIN_REASON_CHARS} characters or more: what went wrong and why it is accepted)`);
    if (input.actions.length === 0) missing.push("at least one action item with an owner and a due date");
    if (missing.length > 0)
      return `This test ${t.status === "failed" ? "failed" : "is partial"}: signing it needs ${missing.join(" and ")}. Nothing was signed.`;
  }
  const today = now.toISOString().slice(0, 10);
  const past = input.actions.find((a) => a.dueDate < today);
  if (past)
    return `The action item "${past.text}" is due ${past.dueDate}, which has passed: give a due date from today on.`;
  return null;
}

/** Why `who` cannot countersign this test, or null. The role (approver) is checked before this. */
export function countersignRefusal(t: SignFacts, who: string): string | null {
  if (t.lockedAt || t.countersignedBy)
    return `This test was already countersigned by ${t.countersignedBy ?? "someone"} on ${utc(t.countersignedAt ?? t.lockedAt)} and is locked.`;
  if (t.status === "running")
    return "The test is still running: it is countersigned after it has finished and was signed.";
  if (!t.performedBy)
    return "Nobody has signed this test as performed by yet: the operator who ran or reviewed it signs first, then an approver countersigns.";
  if (same(who, t.performedBy))
    return `You (${who}) signed this test as performed by, so you cannot countersign it: an approver who is someone else countersigns.`;
  if (same(who, t.createdBy))
    return `You (${who}) ran this test, so you cannot countersign it: an approver who did not run or sign it countersigns.`;
  return null;
}

/** Why `who` cannot close this action item, or null. */
export function closeActionRefusal(a: { closedAt: Date | string | null; closedBy: string | null }): string | null {
  if (a.closedAt) return `This action item was already closed by ${a.closedBy ?? "someone"} on ${utc(a.closedAt)}.`;
  return null;
}
