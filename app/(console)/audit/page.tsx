import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { Time } from "@/components/time";
import { listAuditEvents } from "@/lib/audit/queries";
import { requirePageUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  await requirePageUser();
  const { page: pageParam } = await searchParams;
  const { rows, total, page, pageSize } = await listAuditEvents({ page: Number(pageParam) || 1 });
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <>
      <PageHeader
        title="Audit"
        description="Every sign-in and change, newest first. Append-only: nothing here can be edited or deleted."
      />
      {rows.length === 0 ? (
        <EmptyState title="No events yet">Sign-ins and changes appear here as they happen.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-3 py-2">When</th>
                <th className="px-3 py-2">Who</th>
                <th className="px-3 py-2">Action</th>
                <th className="px-3 py-2">Target</th>
                <th className="px-3 py-2">Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id} className="border-t border-slate-100 align-top">
                  <td className="whitespace-nowrap px-3 py-2">
                    <Time value={e.at} />
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{e.actorEmail}</td>
                  <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
                  <td className="px-3 py-2 font-mono text-xs">
                    {e.targetType}
                    {e.targetId ? `:${e.targetId}` : ""}
                  </td>
                  <td className="max-w-md break-all px-3 py-2 font-mono text-xs text-slate-600">
                    {e.detail === "{}" ? "" : e.detail}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm tabular">
        <span>
          {total.toLocaleString("en")} events · page {page} of {pages}
        </span>
        {page > 1 && (
          <Link className="text-sky-700 hover:underline" href={`/audit?page=${page - 1}`}>
            ← Newer
          </Link>
        )}
        {page < pages && (
          <Link className="text-sky-700 hover:underline" href={`/audit?page=${page + 1}`}>
            Older →
          </Link>
        )}
      </nav>
    </>
  );
}
