import { z } from "zod";
import type { StateDisplay } from "@/lib/runner/states";

// The two-person rule, as pure rules shared by the server and the pages: which actions need an
// approval, what an approval is bound to, and why a given approval cannot be used. The server
// (lib/approvals/mutations.ts) enforces exactly these; the pages only say them before the click.

/** The destructive actions an approval can allow. Retention deletion uses the same API. */
export const APPROVAL_ACTIONS = ["run.switch-over", "run.copy-back", "run.drop-old-copy", "retention.delete"] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];
export const approvalActionSchema = z.enum(APPROVAL_ACTIONS);

export const ACTION_WORDS: Record<ApprovalAction, string> = {
  "run.switch-over": "switch-over",
  "run.copy-back": "copy-back into the target",
  "run.drop-old-copy": "dropping the kept copy",
  "retention.delete": "retention deletion",
};

export const APPROVAL_KINDS = ["two_person", "break_glass"] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export const APPROVAL_STATUSES = ["pending", "approved", "declined", "used", "withdrawn"] as const;
export type StoredApprovalStatus = (typeof APPROVAL_STATUSES)[number];
/** What a person sees: the stored status, or "expired" once a pending or approved one ran out. */
export type ApprovalState = StoredApprovalStatus | "expired";

export const APPROVAL_STATE_DISPLAY: Record<ApprovalState, StateDisplay> = {
  pending: {
    label: "waiting for an approver",
    tone: "warn",
    symbol: "…",
    meaning: "Requested; no approver has answered.",
  },
  approved: { label: "approved", tone: "good", symbol: "✓", meaning: "Approved; usable once before it expires." },
  declined: { label: "declined", tone: "bad", symbol: "✗", meaning: "An approver declined it." },
  used: { label: "used", tone: "neutral", symbol: "■", meaning: "Used for the step it allowed." },
  withdrawn: { label: "withdrawn", tone: "neutral", symbol: "–", meaning: "Replaced by a newer request." },
  expired: { label: "expired", tone: "neutral", symbol: "○", meaning: "Ran out before it was used; ask again." },
};

export function isStoredApprovalStatus(s: string): s is StoredApprovalStatus {
  return (APPROVAL_STATUSES as readonly string[]).includes(s);
}

export function approvalState(a: { status: string; expiresAt: Date | string }, now: Date): ApprovalState {
  const status: StoredApprovalStatus = isStoredApprovalStatus(a.status) ? a.status : "withdrawn";
  if ((status === "pending" || status === "approved") && new Date(a.expiresAt).getTime() <= now.getTime())
    return "expired";
  return status;
}

/** Whether `environment`'s destructive steps need a second person (LIFEBOAT_TWO_PERSON_ENVIRONMENTS). */
export function twoPersonRuleApplies(environment: string, twoPersonEnvironments: readonly string[]): boolean {
  return twoPersonEnvironments.includes(environment);
}

// --- what an approval is bound to ------------------------------------------------------------------

/**
 * The facts an approver saw. Using the approval compares each of them with the facts at that
 * moment: a different plan, backup or target needs a new approval. Fields that do not apply to an
 * action (no backup for some) are null, and null must stay null.
 */
export const bindingSchema = z.object({
  planHash: z.string().nullable(),
  backupSha256: z.string().nullable(),
  backupEtag: z.string().nullable(),
  /** Bytes, as a decimal string (BigInt in the catalog). */
  backupSize: z.string().nullable(),
  targetHost: z.string(),
  targetPort: z.number().int(),
  targetDatabase: z.string(),
});
export type ApprovalBinding = z.infer<typeof bindingSchema>;

const short = (v: string | null) => (v === null ? "none" : v.length > 16 ? `${v.slice(0, 12)}…` : v);

/** What changed between the approved facts and the current ones, in words; empty when nothing did. */
export function bindingChanges(approved: ApprovalBinding, current: ApprovalBinding): string[] {
  const out: string[] = [];
  if (approved.planHash !== current.planHash)
    out.push(`the plan changed (approved ${short(approved.planHash)}, now ${short(current.planHash)})`);
  if (approved.backupSha256 !== current.backupSha256)
    out.push(
      `the backup's sha256 changed (approved ${short(approved.backupSha256)}, now ${short(current.backupSha256)})`,
    );
  if (approved.backupEtag !== current.backupEtag || approved.backupSize !== current.backupSize)
    out.push(
      `the backup object changed in its location (approved etag ${short(approved.backupEtag)}, ${approved.backupSize ?? "?"} bytes; now etag ${short(current.backupEtag)}, ${current.backupSize ?? "?"} bytes)`,
    );
  const where = (b: ApprovalBinding) => `${b.targetDatabase} on ${b.targetHost}:${b.targetPort}`;
  if (where(approved) !== where(current))
    out.push(`the target changed (approved ${where(approved)}, now ${where(current)})`);
  return out;
}

// --- who may approve, and when an approval can be used ------------------------------------------

export type ApprovalFacts = {
  kind: string;
  status: string;
  action: string;
  expiresAt: Date;
  requestedBy: string;
  decidedBy: string | null;
  binding: ApprovalBinding;
};

/** Why `approver` may not approve: they asked for it, planned or confirmed the run. Null when they may. */
export function selfApprovalRefusal(
  approver: string,
  requesters: readonly (string | null | undefined)[],
): string | null {
  const me = approver.trim().toLowerCase();
  if (!requesters.some((r) => r && r.trim().toLowerCase() === me)) return null;
  return `You (${approver}) requested this step or planned or confirmed the run, so you cannot approve it: the two-person rule needs an approver who did not. Ask another approver, or an admin to break the glass in an emergency.`;
}

/**
 * Why this approval cannot allow `action` now, or null when it can. Checked when it is used, on
 * the row read inside the same transaction that marks it used.
 */
export function approvalUseRefusal(
  a: ApprovalFacts,
  use: { action: string; now: Date; current: ApprovalBinding; requesters: readonly (string | null | undefined)[] },
): string | null {
  const what = ACTION_WORDS[a.action as ApprovalAction] ?? a.action;
  if (a.action !== use.action) return `This approval is for the ${what}, not this step.`;
  if (a.status === "used")
    return `This approval was already used (each approval allows one ${what}): request a new one.`;
  if (a.status !== "approved") return `This request is ${a.status}, not approved: ask an approver to approve it.`;
  if (a.expiresAt.getTime() <= use.now.getTime())
    return `The approval expired at ${a.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC before it was used: request a new one.`;
  if (a.kind !== "break_glass") {
    if (!a.decidedBy) return "This approval names no approver: request a new one.";
    const self = selfApprovalRefusal(a.decidedBy, [a.requestedBy, ...use.requesters]);
    if (self)
      return `The approval came from ${a.decidedBy}, who requested this step or planned or confirmed the run: a second person must approve it. Request a new one.`;
  }
  const changes = bindingChanges(a.binding, use.current);
  if (changes.length > 0)
    return `The approval no longer fits: ${changes.join("; ")}. Nothing was changed: request a new approval for what is there now.`;
  return null;
}

/** Minutes and seconds left, for the countdown ("12 min 05 s left"); null once expired. */
export function timeLeftText(expiresAt: Date | string, now: number): string | null {
  const ms = new Date(expiresAt).getTime() - now;
  if (ms <= 0) return null;
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${String(s % 60).padStart(2, "0")} s left` : `${s} s left`;
}

/** Where a subject's page is (dashboard links). */
export function subjectHref(subjectType: string, subjectId: string): string | null {
  if (subjectType === "run") return `/restores/${encodeURIComponent(subjectId)}`;
  if (subjectType === "database") return `/backups/retention/${encodeURIComponent(subjectId)}`;
  return null;
}

/** How long the dashboard shows a break glass (days). */
export const BREAK_GLASS_SHOWN_DAYS = 7;
/** A break glass's written reason: long enough to say something. */
export const BREAK_GLASS_REASON_MIN = 10;
