import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonClass } from "@/components/ui/button";
import { Table, THead, Th, type SortState } from "@/components/ui/table";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { filterOptions, listBackups } from "@/lib/backups/queries";
import { backupFilterSchema, PAGE_SIZES, type BackupFilter } from "@/lib/backups/schemas";
import { VERIFICATION_STATES } from "@/lib/backups/states";
import { BACKUP_FORMATS } from "@/lib/backups/manifest";
import { RETENTION_CLASSES, RETENTION_LABELS } from "@/lib/backups/retention";
import { formatBytes } from "@/lib/format/bytes";
import { BackupRows, type BackupRowView } from "./backup-rows";
import { FiltersPanel } from "./filters-panel";
import { SyncPanel } from "./sync-panel";

export const metadata: Metadata = { title: "Backups" };

function href(f: BackupFilter, change: Partial<BackupFilter>): string {
  const merged = { ...f, ...change };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || v === "") continue;
    if (
      (k === "page" && v === 1) ||
      (k === "size" && v === 50) ||
      (k === "sort" && v === "takenAt") ||
      (k === "dir" && v === "desc") ||
      (k === "vanished" && v === "hide") ||
      (k === "assignment" && v === "assigned")
    )
      continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `/backups?${s}` : "/backups";
}

const FORMAT_LABELS: Record<string, string> = {
  custom: "custom (.dump)",
  plain: "plain SQL",
  plain_gzip: "SQL + gzip",
  tar: "tar",
  unknown: "unknown",
};

export default async function BackupsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requirePageUser();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const f = backupFilterSchema.parse(raw);
  const [list, options] = await Promise.all([listBackups(f), filterOptions()]);
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  const active = [
    f.location,
    f.database,
    f.class,
    f.format,
    f.state,
    f.from,
    f.to,
    f.q,
    f.vanished !== "hide" ? f.vanished : "",
    f.assignment !== "assigned" ? f.assignment : "",
  ].filter(Boolean).length;
  const filtered = active > 0;
  const sort = (col: BackupFilter["sort"]): SortState => {
    const current = f.sort === col;
    return {
      href: href(f, { sort: col, dir: current && f.dir === "desc" ? "asc" : "desc", page: 1 }),
      direction: current ? (f.dir === "asc" ? "ascending" : "descending") : null,
    };
  };
  const select = FILTER_CONTROL;

  return (
    <>
      <PageHeader
        title="Backups"
        description="Every backup in every location, newest first. Times are UTC."
        actions={
          <Link href="/backups/retention" className={buttonClass()}>
            Retention
          </Link>
        }
      />
      <SyncPanel canSync={hasRole(user.role, "operator")} />

      <FiltersPanel active={active}>
        <form
          method="get"
          action="/backups"
          className="grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-3 lg:grid-cols-6"
          aria-label="Filter backups"
        >
          <label className="text-xs font-medium text-slate-600">
            Database
            <select name="database" defaultValue={f.database ?? ""} className={select}>
              <option value="">All databases</option>
              {options.databases.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.environment})
                </option>
              ))}
              <option value="none">Not assigned</option>
            </select>
          </label>
          <label className="text-xs font-medium text-slate-600">
            Location
            <select name="location" defaultValue={f.location ?? ""} className={select}>
              <option value="">All locations</option>
              {options.locations.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <FilterSelect
            label="Retention class"
            name="class"
            value={f.class}
            any="All classes"
            options={RETENTION_CLASSES.map((c) => [c, RETENTION_LABELS[c]])}
          />
          <FilterSelect
            label="Format"
            name="format"
            value={f.format}
            any="All formats"
            options={BACKUP_FORMATS.map((x) => [x, FORMAT_LABELS[x] ?? x])}
          />
          <FilterSelect
            label="Verification"
            name="state"
            value={f.state}
            any="Any state"
            options={VERIFICATION_STATES.map((v) => [v, v.replace("_", " ")])}
          />
          <label className="text-xs font-medium text-slate-600">
            Key contains
            <input name="q" defaultValue={f.q ?? ""} className={`${select} font-mono`} placeholder="pre_migration" />
          </label>
          <label className="text-xs font-medium text-slate-600">
            Taken from (UTC)
            <input type="date" name="from" defaultValue={f.from ?? ""} className={select} />
          </label>
          <label className="text-xs font-medium text-slate-600">
            Taken to (UTC)
            <input type="date" name="to" defaultValue={f.to ?? ""} className={select} />
          </label>
          <label className="text-xs font-medium text-slate-600">
            Vanished from storage
            <select name="vanished" defaultValue={f.vanished} className={select}>
              <option value="hide">Hide</option>
              <option value="all">Show too</option>
              <option value="only">Only these</option>
            </select>
          </label>
          <label className="text-xs font-medium text-slate-600">
            Per page
            <select name="size" defaultValue={String(f.size)} className={select}>
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <input type="hidden" name="sort" value={f.sort} />
          <input type="hidden" name="dir" value={f.dir} />
          {f.assignment !== "assigned" && <input type="hidden" name="assignment" value={f.assignment} />}
          <div className="flex items-end gap-2 sm:col-span-2">
            <button type="submit" className={buttonClass("primary")}>
              Apply filters
            </button>
            {filtered && (
              <Link href="/backups" className="px-2 py-1.5 text-sm text-sky-700 hover:underline">
                Clear
              </Link>
            )}
          </div>
        </form>
      </FiltersPanel>

      <p data-testid="backup-totals" className="mb-2 text-sm tabular text-slate-700">
        <strong>{list.total.toLocaleString("en")}</strong> {list.total === 1 ? "backup" : "backups"} ·{" "}
        <strong>{formatBytes(list.totalBytes)}</strong>
        {filtered && " matching the filters"}
        {f.assignment === "unassigned" ? (
          <>
            {" "}
            · objects that match no database&apos;s key patterns: no retention class (
            <Link href="/backups" className="text-sky-700 hover:underline">
              all backups
            </Link>
            )
          </>
        ) : (
          list.unassigned > 0 && (
            <>
              {" · "}
              <Link
                href={`/backups?assignment=unassigned${f.location ? `&location=${encodeURIComponent(f.location)}` : ""}`}
                data-testid="unassigned-link"
                className="text-sky-700 hover:underline"
              >
                {list.unassigned.toLocaleString("en")} unassigned{" "}
                {list.unassigned === 1 ? "object matches" : "objects match"} no database
              </Link>
            </>
          )
        )}
      </p>

      {list.total === 0 ? (
        filtered ? (
          <EmptyState title="No backup matches these filters">
            <Link href="/backups" className="text-sky-700 hover:underline">
              Clear the filters
            </Link>{" "}
            or widen the dates.
          </EmptyState>
        ) : options.locations.length === 0 ? (
          <EmptyState title="No locations yet">
            An admin adds where backups live under{" "}
            <Link href="/settings/locations" className="text-sky-700 hover:underline">
              Settings → Locations
            </Link>
            , then syncs it.
          </EmptyState>
        ) : (
          <EmptyState title="No backups catalogued yet">
            Sync the locations above. If a sync finds nothing, check the location&apos;s prefix.
          </EmptyState>
        )
      ) : (
        // One markup for every width: a dense table from md up; on a phone each row wraps into a
        // card (the classes on the table restyle its rows, not each row).
        <Table
          testId="backups-table"
          label="Backups"
          tableClassName={
            "max-md:block max-md:[&_tbody]:block max-md:[&_tr]:flex max-md:[&_tr]:flex-wrap max-md:[&_tr]:items-center max-md:[&_tr]:gap-x-3 " +
            "max-md:[&_tr]:gap-y-1 max-md:[&_tr]:px-3 max-md:[&_tr]:py-2 max-md:[&_td]:p-0 [&_.key]:min-w-0 max-md:[&_.key]:order-first " +
            "max-md:[&_.key]:basis-full md:[&_.key]:w-full md:[&_.key]:max-w-0"
          }
        >
          <THead className="max-md:hidden">
            <Th sort={sort("takenAt")}>Taken (UTC)</Th>
            <Th sort={sort("key")}>Key</Th>
            <Th>Database</Th>
            <Th numeric sort={sort("size")}>
              Size
            </Th>
            <Th>Class</Th>
            <Th>Verification</Th>
          </THead>
          <BackupRows
            rows={list.rows.map((b): BackupRowView => ({
              id: b.id,
              key: b.key,
              takenAt: b.takenAt,
              where: `${b.location.name} · ${FORMAT_LABELS[b.format] ?? b.format}${b.label ? ` · ${b.label}` : b.kind === "pre_migration" ? " · pre-migration" : ""}${b.vanishedAt ? " · vanished from storage" : ""}`,
              sizeText: formatBytes(b.size),
              sizeAnomaly: b.sizeAnomaly,
              database: b.database
                ? { name: b.database.name, production: b.database.environment === "production" }
                : null,
              retentionClass: b.retentionClass,
              verificationState: b.verificationState,
              verificationSummary: b.verificationSummary,
            }))}
          />
        </Table>
      )}
      {list.total > 0 && (
        <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center gap-3 text-sm tabular">
          <span>
            Page {list.page} of {pages.toLocaleString("en")}
          </span>
          {list.page > 1 && (
            <Link className="text-sky-700 hover:underline" href={href(f, { page: 1 })}>
              « First
            </Link>
          )}
          {list.page > 1 && (
            <Link className="text-sky-700 hover:underline" href={href(f, { page: list.page - 1 })}>
              ‹ Previous
            </Link>
          )}
          {list.page < pages && (
            <Link className="text-sky-700 hover:underline" href={href(f, { page: list.page + 1 })}>
              Next ›
            </Link>
          )}
          {list.page < pages && (
            <Link className="text-sky-700 hover:underline" href={href(f, { page: pages })}>
              Last »
            </Link>
          )}
        </nav>
      )}
    </>
  );
}

const FILTER_CONTROL = "w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/** One of the list's choice filters: "any" (empty) or one of its values. */
function FilterSelect(props: {
  label: string;
  name: string;
  value: string | undefined;
  any: string;
  options: [value: string, label: string][];
}) {
  return (
    <label className="text-xs font-medium text-slate-600">
      {props.label}
      <select name={props.name} defaultValue={props.value ?? ""} className={FILTER_CONTROL}>
        <option value="">{props.any}</option>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
