import "server-only";
import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { approvalNow, twoPersonEnvironments } from "@/lib/approvals/config";
import {
  BREAK_GLASS_SHOWN_DAYS,
  approvalState,
  subjectHref,
  timeLeftText,
  twoPersonRuleApplies,
  type ApprovalState,
} from "@/lib/approvals/rules";

// The two-person rule's reads, behind the viewer role: a run's approvals for its page, the
// pending requests for the dashboard and the navigation's badge, and recent break-glass overrides.

export type ApprovalView = {
  id: string;
  action: string;
  kind: string;
  state: ApprovalState;
  summary: string;
  environment: string;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  expiresAt: string;
  /** "12 min 05 s left" when it was read; null once expired. */
  timeLeft: string | null;
  usedAt: string | null;
  usedBy: string | null;
  href: string | null;
};

type Row = Awaited<ReturnType<typeof db.approval.findFirstOrThrow>>;

function view(a: Row, now: Date): ApprovalView {
  return {
    id: a.id,
    action: a.action,
    kind: a.kind,
    state: approvalState(a, now),
    summary: a.summary,
    environment: a.environment,
    requestedBy: a.requestedBy,
    requestedAt: a.requestedAt.toISOString(),
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    reason: a.reason,
    expiresAt: a.expiresAt.toISOString(),
    timeLeft: timeLeftText(a.expiresAt, now.getTime()),
    usedAt: a.usedAt?.toISOString() ?? null,
    usedBy: a.usedBy,
    href: subjectHref(a.subjectType, a.subjectId),
  };
}

/** Whether the two-person rule covers this environment (the run page says so before the click). */
export function twoPersonRuleFor(environment: string): boolean {
  return twoPersonRuleApplies(environment, twoPersonEnvironments());
}

/** A run's approvals, newest first (the run page polls them with the run). */
export async function approvalsOfRun(runId: string): Promise<ApprovalView[]> {
  await requireRole("viewer");
  const now = approvalNow();
  const rows = await db.approval.findMany({
    where: { subjectType: "run", subjectId: runId },
    orderBy: { requestedAt: "desc" },
    take: 20,
  });
  return rows.map((a) => view(a, now));
}

/** A database's retention-deletion approvals, newest first (the retention page). */
export async function approvalsOfDatabase(databaseId: string): Promise<ApprovalView[]> {
  await requireRole("viewer");
  const now = approvalNow();
  const rows = await db.approval.findMany({
    where: { subjectType: "database", subjectId: databaseId },
    orderBy: { requestedAt: "desc" },
    take: 20,
  });
  return rows.map((a) => view(a, now));
}

/** Requests no approver has answered yet and that have not expired (the dashboard's card). */
export async function pendingApprovals(): Promise<ApprovalView[]> {
  await requireRole("viewer");
  const now = approvalNow();
  const rows = await db.approval.findMany({
    where: { status: "pending", expiresAt: { gt: now } },
    orderBy: { requestedAt: "asc" },
    take: 50,
  });
  return rows.map((a) => view(a, now));
}

/**
 * How many pending requests the signed-in user could approve (the navigation's badge): none for
 * roles below approver, and never their own requests.
 */
export async function approvalsWaitingForMe(): Promise<number> {
  const user = await requireRole("viewer");
  if (!hasRole(user.role, "approver")) return 0;
  return db.approval.count({
    where: { status: "pending", expiresAt: { gt: approvalNow() }, requestedBy: { not: user.email } },
  });
}

/** Break-glass overrides of the last BREAK_GLASS_SHOWN_DAYS days, newest first (the dashboard's red card). */
export async function recentBreakGlass(): Promise<ApprovalView[]> {
  await requireRole("viewer");
  const now = approvalNow();
  const since = new Date(now.getTime() - BREAK_GLASS_SHOWN_DAYS * 24 * 3600_000);
  const rows = await db.approval.findMany({
    where: { kind: "break_glass", decidedAt: { gte: since } },
    orderBy: { decidedAt: "desc" },
    take: 20,
  });
  return rows.map((a) => view(a, now));
}
