import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { RunStatusBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { listRestoreRuns } from "@/lib/restores/queries";
import { scenarioTitle } from "@/lib/scenarios/registry";
import { formatDuration } from "@/lib/format/time";
import { buttonClass } from "@/components/ui/button";
import { recoveryInstancesForUser } from "@/lib/pitr/recovery-queries";

export const metadata: Metadata = { title: "Restore" };

export default async function RestoresPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const user = await requirePageUser();
  const { runs, page, pages, total } = await listRestoreRuns({ page: Number((await searchParams).page) || 1 });
  const { instances: recovery } = await recoveryInstancesForUser();
  return (
    <>
      <PageHeader
        title="Restore"
        description="Every restore run: who planned it, who confirmed it, how long it took, and its verdict."
        actions={
          <>
            {recovery.length > 0 && (
              <Link href="/restores/recovery-instances" className={buttonClass("secondary", "lg")}>
                Recovery instances ({recovery.length})
              </Link>
            )}
            {hasRole(user.role, "operator") && (
              <Link href="/restores/new" className={buttonClass("primary", "lg")}>
                New restore
              </Link>
            )}
          </>
        }
      />
      {runs.length === 0 ? (
        <EmptyState title="No restore runs yet">
          {hasRole(user.role, "operator") ? (
            <>
              Start one with{" "}
              <Link href="/restores/new" className="text-sky-700 hover:underline">
                New restore
              </Link>
              : choose the scenario you are in, the target, and the backup.
            </>
          ) : (
            "Operators start restores; the history appears here."
          )}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm" data-testid="runs-table">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-3 py-2">Started</th>
                <th className="px-3 py-2">Scenario</th>
                <th className="px-3 py-2">Target</th>
                <th className="px-3 py-2">Status</th>
                <th className="px-3 py-2">Who</th>
                <th className="px-3 py-2 text-right">Elapsed</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} className="border-t border-slate-100 align-top">
                  <td className="whitespace-nowrap px-3 py-2">
                    <Link className="text-sky-700 hover:underline" href={`/restores/${r.id}`}>
                      <Time value={r.startedAt ?? r.createdAt} />
                    </Link>
                  </td>
                  <td className="px-3 py-2">
                    {scenarioTitle(r.scenarioId)} <span className="text-xs text-slate-500">v{r.scenarioVersion}</span>
                  </td>
                  <td className="px-3 py-2">{r.databaseName}</td>
                  <td className="px-3 py-2">
                    <RunStatusBadge status={r.status} />
                    {r.verdict && <div className="mt-1 max-w-md text-xs text-slate-600">{r.verdict}</div>}
                  </td>
                  <td className="px-3 py-2 text-xs">
                    planned by {r.createdBy}
                    {r.confirmedBy && (
                      <>
                        <br />
                        confirmed by {r.confirmedBy}
                      </>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right tabular">
                    {r.elapsedMs === null ? "—" : formatDuration(r.elapsedMs / 1000)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > 0 && (
        <nav aria-label="Pages" className="mt-3 flex gap-3 text-sm">
          <span>
            Page {page} of {pages}
          </span>
          {page > 1 && (
            <Link className="text-sky-700" href={`/restores?page=${page - 1}`}>
              ‹ Newer
            </Link>
          )}
          {page < pages && (
            <Link className="text-sky-700" href={`/restores?page=${page + 1}`}>
              Older ›
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
