import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonClass } from "@/components/ui/button";
import { Time } from "@/components/time";
import { auditActions, listAuditEvents } from "@/lib/audit/queries";
import { activeFilterCount, auditHref, parseAuditFilter } from "@/lib/audit/filters";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { VerifyChain } from "./verify-chain";

export const metadata: Metadata = { title: "Audit" };

const CONTROL = "w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/** "run.*" for each domain, then every action, for the action filter. */
function actionChoices(actions: string[]): [value: string, label: string][] {
  const domains = [...new Set(actions.map((a) => a.split(".")[0]).filter((d): d is string => Boolean(d)))];
  return [
    ...domains.map((d): [string, string] => [`${d}.*`, `${d}: all`]),
    ...actions.map((a): [string, string] => [a, a]),
  ];
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePageUser();
  const params = await searchParams;
  const { filter, problems } = parseAuditFilter(params);
  const pageParam = Array.isArray(params.page) ? params.page[0] : params.page;
  const [{ rows, total, page, pageSize }, actions] = await Promise.all([
    listAuditEvents({ page: Number(pageParam) || 1, filter }),
    auditActions(),
  ]);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const filtered = activeFilterCount(filter) > 0;
  const choices = actionChoices(actions);
  if (filter.action && !choices.some(([v]) => v === filter.action)) choices.push([filter.action, filter.action]);
  return (
    <>
      <PageHeader
        title="Audit"
        description="Every sign-in and change, newest first. Append-only: the database refuses to change or delete an event, and each event carries the hash of the one before it, so a change made behind Lifeboat's back shows when the chain is verified."
      />
      {hasRole(user.role, "admin") && <VerifyChain />}
      <form
        method="get"
        action="/audit"
        aria-label="Filter the audit log"
        className="mb-3 grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-3 lg:grid-cols-6"
      >
        <label className="text-xs font-medium text-slate-600">
          Who (e-mail contains)
          <input name="who" defaultValue={filter.who ?? ""} className={CONTROL} placeholder="ana@" />
        </label>
        <label className="text-xs font-medium text-slate-600">
          Action
          <select name="action" defaultValue={filter.action ?? ""} className={CONTROL}>
            <option value="">All actions</option>
            {choices.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          Subject
          <input
            name="subject"
            defaultValue={filter.subject ?? ""}
            className={`${CONTROL} font-mono`}
            placeholder="run, or run:ID"
            aria-describedby="audit-subject-hint"
          />
          <span id="audit-subject-hint" className="mt-0.5 block font-normal text-slate-500">
            A kind (user, run, location…), kind:id, or an id
          </span>
        </label>
        <label className="text-xs font-medium text-slate-600">
          From (UTC)
          <input type="date" name="from" defaultValue={filter.from ?? ""} className={CONTROL} />
        </label>
        <label className="text-xs font-medium text-slate-600">
          To (UTC)
          <input type="date" name="to" defaultValue={filter.to ?? ""} className={CONTROL} />
        </label>
        <div className="flex flex-wrap items-end gap-2">
          <button type="submit" className={buttonClass("primary")}>
            Apply filters
          </button>
          {filtered && (
            <Link href="/audit" className="px-2 py-1.5 text-sm text-sky-700 hover:underline">
              Clear
            </Link>
          )}
        </div>
      </form>
      {problems.length > 0 && (
        <ul role="alert" className="mb-3 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm tabular">
        <span>
          {total.toLocaleString("en")} {filtered ? "matching " : ""}
          {total === 1 ? "event" : "events"}
        </span>
        {total > 0 && (
          <a className={buttonClass("secondary", "sm")} href={auditHref("/api/audit/csv", filter)} download>
            Export CSV{filtered ? " (these events)" : ""}
          </a>
        )}
      </div>
      {rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No events match these filters">
            Widen the dates or clear a filter.{" "}
            <Link href="/audit" className="text-sky-700 underline">
              Show all events
            </Link>
          </EmptyState>
        ) : (
          <EmptyState title="No events yet">Sign-ins and changes appear here as they happen.</EmptyState>
        )
      ) : (
        <>
          {/* Phones: one card per event, nothing to scroll sideways. */}
          <ol className="space-y-2 sm:hidden" aria-label="Events">
            {rows.map((e) => (
              <li key={e.id} className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
                <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-xs text-slate-500">
                  <span className="tabular">#{e.seq}</span>
                  <Time value={e.at} />
                </div>
                <div className="mt-1 break-all font-mono text-xs font-semibold">{e.action}</div>
                <div className="mt-0.5 break-all font-mono text-xs">{e.actorEmail}</div>
                <div className="mt-0.5 break-all font-mono text-xs text-slate-600">
                  {e.targetType}
                  {e.targetId ? `:${e.targetId}` : ""}
                </div>
                {e.detail !== "{}" && <div className="mt-1 break-all font-mono text-xs text-slate-600">{e.detail}</div>}
              </li>
            ))}
          </ol>
          <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white sm:block">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-3 py-2">#</th>
                  <th className="px-3 py-2">When</th>
                  <th className="px-3 py-2">Who</th>
                  <th className="px-3 py-2">Action</th>
                  <th className="px-3 py-2">Subject</th>
                  <th className="px-3 py-2">Detail</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.id} className="border-t border-slate-100 align-top">
                    <td className="px-3 py-2 text-xs text-slate-500 tabular">{e.seq}</td>
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
        </>
      )}
      {pages > 1 && (
        <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm tabular">
          <span>
            page {page} of {pages}
          </span>
          {page > 1 && (
            <Link className="text-sky-700 hover:underline" href={auditHref("/audit", filter, page - 1)}>
              ← Newer
            </Link>
          )}
          {page < pages && (
            <Link className="text-sky-700 hover:underline" href={auditHref("/audit", filter, page + 1)}>
              Older →
            </Link>
          )}
        </nav>
      )}
    </>
  );
}
