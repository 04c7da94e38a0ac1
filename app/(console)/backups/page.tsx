import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { Badge, EnvironmentBadge, VerificationBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { filterOptions, listBackups } from "@/lib/backups/queries";
import { backupFilterSchema, PAGE_SIZES, VERIFICATION_STATES, type BackupFilter } from "@/lib/backups/schemas";
import { BACKUP_FORMATS } from "@/lib/backups/manifest";
import { RETENTION_CLASSES, RETENTION_LABELS } from "@/lib/backups/retention";
import { formatBytes } from "@/lib/format/bytes";
import { SyncPanel } from "./sync-panel";

export const metadata: Metadata = { title: "Backups" };

function href(f: BackupFilter, change: Partial<BackupFilter>): string {
  const merged = { ...f, ...change };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || v === "") continue;
    if ((k === "page" && v === 1) || (k === "size" && v === 50) || (k === "sort" && v === "takenAt") || (k === "dir" && v === "desc") || (k === "vanished" && v === "hide")) continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `/backups?${s}` : "/backups";
}

const FORMAT_LABELS: Record<string, string> = { custom: "custom (.dump)", plain: "plain SQL", plain_gzip: "SQL + gzip", tar: "tar", unknown: "unknown" };

export default async function BackupsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const f = backupFilterSchema.parse(raw);
  const [list, options] = await Promise.all([listBackups(f), filterOptions()]);
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  const filtered = Boolean(f.location || f.database || f.class || f.format || f.state || f.from || f.to || f.q || f.vanished !== "hide");
  const sortLink = (col: BackupFilter["sort"], label: string) => {
    const active = f.sort === col;
    const dir = active && f.dir === "desc" ? "asc" : "desc";
    return (
      <Link href={href(f, { sort: col, dir, page: 1 })} className="hover:underline" aria-sort={active ? (f.dir === "asc" ? "ascending" : "descending") : undefined}>
        {label} {active ? (f.dir === "asc" ? "▲" : "▼") : ""}
      </Link>
    );
  };
  const select = "w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

  return (
    <>
      <PageHeader title="Backups" description="Every backup in every location, newest first. Times are UTC." />
      <SyncPanel canSync={hasRole(user.role, "operator")} />

      <form method="get" action="/backups" className="mb-4 grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter backups">
        <label className="text-xs font-medium text-slate-600">Database
          <select name="database" defaultValue={f.database ?? ""} className={select}>
            <option value="">All databases</option>
            {options.databases.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.environment})</option>)}
            <option value="none">Not assigned</option>
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">Location
          <select name="location" defaultValue={f.location ?? ""} className={select}>
            <option value="">All locations</option>
            {options.locations.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">Retention class
          <select name="class" defaultValue={f.class ?? ""} className={select}>
            <option value="">All classes</option>
            {RETENTION_CLASSES.map((c) => <option key={c} value={c}>{RETENTION_LABELS[c]}</option>)}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">Format
          <select name="format" defaultValue={f.format ?? ""} className={select}>
            <option value="">All formats</option>
            {BACKUP_FORMATS.map((x) => <option key={x} value={x}>{FORMAT_LABELS[x]}</option>)}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">Verification
          <select name="state" defaultValue={f.state ?? ""} className={select}>
            <option value="">Any state</option>
            {VERIFICATION_STATES.map((s) => <option key={s} value={s}>{s.replace("_", " ")}</option>)}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">Key contains
          <input name="q" defaultValue={f.q ?? ""} className={`${select} font-mono`} placeholder="pre_migration" />
        </label>
        <label className="text-xs font-medium text-slate-600">Taken from (UTC)
          <input type="date" name="from" defaultValue={f.from ?? ""} className={select} />
        </label>
        <label className="text-xs font-medium text-slate-600">Taken to (UTC)
          <input type="date" name="to" defaultValue={f.to ?? ""} className={select} />
        </label>
        <label className="text-xs font-medium text-slate-600">Vanished from storage
          <select name="vanished" defaultValue={f.vanished} className={select}>
            <option value="hide">Hide</option><option value="all">Show too</option><option value="only">Only these</option>
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">Per page
          <select name="size" defaultValue={String(f.size)} className={select}>
            {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <input type="hidden" name="sort" value={f.sort} /><input type="hidden" name="dir" value={f.dir} />
        <div className="flex items-end gap-2 sm:col-span-2">
          <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">Apply filters</button>
          {filtered && <Link href="/backups" className="px-2 py-1.5 text-sm text-sky-700 hover:underline">Clear</Link>}
        </div>
      </form>

      <p data-testid="backup-totals" className="mb-2 text-sm tabular text-slate-700">
        <strong>{list.total.toLocaleString("en")}</strong> {list.total === 1 ? "backup" : "backups"} · <strong>{formatBytes(list.totalBytes)}</strong>
        {filtered && " matching the filters"}
      </p>

      {list.total === 0 ? (
        filtered ? (
          <EmptyState title="No backup matches these filters"><Link href="/backups" className="text-sky-700 hover:underline">Clear the filters</Link> or widen the dates.</EmptyState>
        ) : options.locations.length === 0 ? (
          <EmptyState title="No locations yet">An admin adds where backups live under <Link href="/settings/locations" className="text-sky-700 hover:underline">Settings → Locations</Link>, then syncs it.</EmptyState>
        ) : (
          <EmptyState title="No backups catalogued yet">Sync the locations above. If a sync finds nothing, check the location&apos;s prefix.</EmptyState>
        )
      ) : (
        <>
        {/* On a phone: one card per backup, the key and the state first. */}
        <ul className="space-y-2 md:hidden" data-testid="backups-cards">
          {list.rows.map((b) => (
            <li key={b.id} className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
              <Link href={`/backups/${b.id}`} className="block break-all font-mono text-xs text-sky-800 hover:underline">{b.key}</Link>
              <div className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1">
                <VerificationBadge state={b.verificationState} title={b.verificationSummary} />
                <span className="tabular">{formatBytes(b.size)}</span>
                <span className="text-slate-600">{b.retentionClass.replace("_", " ")}</span>
                {b.sizeAnomaly && <Badge kind="warn">▲ size: {b.sizeAnomaly}</Badge>}
              </div>
              <div className="mt-1 text-xs text-slate-600"><Time value={b.takenAt} relative /></div>
              <div className="text-xs text-slate-500">{b.database ? `${b.database.name} · ` : ""}{b.location.name}{b.vanishedAt ? " · vanished" : ""}</div>
            </li>
          ))}
        </ul>
        <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white md:block">
          <table className="w-full text-left text-sm" data-testid="backups-table">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-3 py-2">{sortLink("takenAt", "Taken (UTC)")}</th>
                <th className="px-3 py-2">{sortLink("key", "Key")}</th>
                <th className="px-3 py-2">Database</th>
                <th className="px-3 py-2 text-right">{sortLink("size", "Size")}</th>
                <th className="px-3 py-2">Class</th>
                <th className="px-3 py-2">Verification</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((b) => (
                <tr key={b.id} className="border-t border-slate-100 align-top hover:bg-slate-50">
                  <td className="whitespace-nowrap px-3 py-2"><Time value={b.takenAt} relative /></td>
                  <td className="max-w-[28rem] px-3 py-2">
                    <Link href={`/backups/${b.id}`} className="break-all font-mono text-xs text-sky-800 hover:underline">{b.key}</Link>
                    <div className="mt-0.5 text-xs text-slate-500">{b.location.name} · {FORMAT_LABELS[b.format] ?? b.format}{b.kind === "pre_migration" ? " · pre-migration" : ""}{b.vanishedAt ? " · vanished from storage" : ""}</div>
                  </td>
                  <td className="px-3 py-2">{b.database ? <span className="whitespace-nowrap">{b.database.name} {b.database.environment === "production" && <EnvironmentBadge environment="production" />}</span> : <span className="text-slate-400">—</span>}</td>
                  <td className="whitespace-nowrap px-3 py-2 text-right tabular">
                    {formatBytes(b.size)}
                    {b.sizeAnomaly && <div><Badge kind="warn" title={b.sizeAnomaly}>▲ size: {b.sizeAnomaly}</Badge></div>}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">{b.retentionClass === "past_retention" ? <Badge kind="warn">past retention</Badge> : b.retentionClass === "critical" ? <Badge kind="info">critical</Badge> : b.retentionClass}</td>
                  <td className="px-3 py-2"><VerificationBadge state={b.verificationState} title={b.verificationSummary} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        </>
      )}
      {list.total > 0 && (
        <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center gap-3 text-sm tabular">
          <span>Page {list.page} of {pages.toLocaleString("en")}</span>
          {list.page > 1 && <Link className="text-sky-700 hover:underline" href={href(f, { page: 1 })}>« First</Link>}
          {list.page > 1 && <Link className="text-sky-700 hover:underline" href={href(f, { page: list.page - 1 })}>‹ Previous</Link>}
          {list.page < pages && <Link className="text-sky-700 hover:underline" href={href(f, { page: list.page + 1 })}>Next ›</Link>}
          {list.page < pages && <Link className="text-sky-700 hover:underline" href={href(f, { page: pages })}>Last »</Link>}
        </nav>
      )}
    </>
  );
}
