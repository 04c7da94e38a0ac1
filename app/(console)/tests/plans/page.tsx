import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { EnvironmentBadge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { testPlansOverview } from "@/lib/monthly-tests/plan-queries";
import { BACKUP_CHOICE_LABELS, CREATION_LABELS } from "@/lib/monthly-tests/plan-schema";
import { formatUtc } from "@/lib/format/time";
import { RunTestButton } from "../run-test-button";

export const metadata: Metadata = { title: "Test plans" };
export const dynamic = "force-dynamic";

const STATUS_WORDS: Record<string, string> = {
  running: "running",
  passed: "passed",
  partial: "passed with warnings",
  failed: "failed",
};

export default async function TestPlansPage() {
  const user = await requirePageUser();
  const rows = await testPlansOverview();
  const admin = hasRole(user.role, "admin");
  const operator = hasRole(user.role, "operator");
  return (
    <>
      <PageHeader
        title="Test plans"
        description={
          <>
            <Link href="/tests" className="text-sky-700 hover:underline">
              Monthly tests
            </Link>{" "}
            › plans: when each database&apos;s backup is tested, which backup, on which test server, and what is
            checked.
          </>
        }
      />
      {rows.length === 0 ? (
        <EmptyState title="No databases yet">
          Add a database in Settings → Databases first; its test plan is made here.
        </EmptyState>
      ) : (
        <ul className="space-y-3" data-testid="test-plans">
          {rows.map((r) => (
            <li key={r.databaseId}>
              <Card
                title={
                  <span className="flex flex-wrap items-center gap-2">
                    <Link href={`/databases/${r.databaseId}`} className="text-sky-700 hover:underline">
                      {r.databaseName}
                    </Link>
                    <EnvironmentBadge environment={r.environment} />
                  </span>
                }
              >
                {r.plan ? (
                  <div className="flex flex-wrap items-start justify-between gap-3 text-sm">
                    <dl className="min-w-0 space-y-1" data-testid="test-plan-summary">
                      <div>
                        <dt className="inline text-slate-500">When: </dt>
                        <dd className="inline">
                          {r.plan.cron ? (
                            <>
                              <span className="font-mono">{r.plan.cron}</span> (UTC)
                              {!r.plan.enabled
                                ? " — turned off"
                                : r.plan.nextDueAt
                                  ? `; next ${formatUtc(r.plan.nextDueAt)}`
                                  : ""}
                            </>
                          ) : (
                            "on demand only"
                          )}
                        </dd>
                      </div>
                      <div>
                        <dt className="inline text-slate-500">Backup: </dt>
                        <dd className="inline">
                          {r.plan.creation === "fresh"
                            ? CREATION_LABELS.fresh
                            : `${BACKUP_CHOICE_LABELS[r.plan.backupChoice as keyof typeof BACKUP_CHOICE_LABELS] ?? r.plan.backupChoice}, after checking the scheduled backup is on time`}
                        </dd>
                      </div>
                      <div>
                        <dt className="inline text-slate-500">Test server: </dt>
                        <dd className="inline font-mono text-xs [overflow-wrap:anywhere]">{r.plan.testServer}</dd>
                      </div>
                      <div>
                        <dt className="inline text-slate-500">Checks: </dt>
                        <dd className="inline">
                          row counts against the manifest, {r.plan.queries} validation quer
                          {r.plan.queries === 1 ? "y" : "ies"}, restore time against the RTO of {r.rtoMinutes} min
                        </dd>
                      </div>
                      {r.lastTest && (
                        <div>
                          <dt className="inline text-slate-500">Last test: </dt>
                          <dd className="inline">
                            <Link href={`/tests/${r.lastTest.id}`} className="text-sky-700 hover:underline">
                              {STATUS_WORDS[r.lastTest.status] ?? r.lastTest.status},{" "}
                              {formatUtc(r.lastTest.startedAt.toISOString())}
                            </Link>
                          </dd>
                        </div>
                      )}
                    </dl>
                    <div className="flex flex-wrap items-start gap-2">
                      {operator && <RunTestButton databaseId={r.databaseId} databaseName={r.databaseName} />}
                      <Link
                        href={`/tests/plans/${r.plan.id}`}
                        className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
                      >
                        {admin ? "Edit the plan" : "View the plan"}
                      </Link>
                    </div>
                  </div>
                ) : (
                  <p className="text-sm text-slate-700" data-testid="no-test-plan">
                    No plan yet
                    {admin ? (
                      <>
                        {" — "}
                        <Link
                          href={`/tests/plans/new?database=${encodeURIComponent(r.databaseId)}`}
                          className="font-medium text-sky-700 hover:underline"
                        >
                          add one
                        </Link>
                        .
                      </>
                    ) : (
                      ": an admin adds one here."
                    )}
                  </p>
                )}
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
