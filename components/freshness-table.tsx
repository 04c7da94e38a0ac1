import Link from "next/link";
import type { DatabaseFreshness } from "@/lib/backups/freshness-query";
import { Badge, EnvironmentBadge, FreshnessBadge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import { formatHours } from "@/lib/format/bytes";

/** 30 cells, one per UTC day: a day without a backup is a red cell with a cross, never a blank. */
function DayStrip({ strip }: { strip: DatabaseFreshness["strip"] }) {
  const missing = strip.filter((d) => d.count === 0).length;
  return (
    <div>
      {/* The cells' shared look is set once here: 30 cells a database, repeated per cell, made
          most of the dashboard's HTML. */}
      <div
        className="flex gap-px *:flex *:h-5 *:min-w-0 *:flex-1 *:items-center *:justify-center *:text-[9px] *:leading-none sm:*:w-2.5 sm:*:flex-none"
        role="img"
        aria-label={`Last ${strip.length} days: ${missing} without a backup`}
      >
        {strip.map((d) => (
          <span
            key={d.day}
            title={`${d.day}: ${d.count === 0 ? "no backup" : `${d.count} backup${d.count > 1 ? "s" : ""}`}`}
            className={d.count === 0 ? "bg-red-500 text-white" : "bg-emerald-500"}
          >
            {d.count === 0 ? "✗" : ""}
          </span>
        ))}
      </div>
      <div className="mt-0.5 text-xs text-slate-600" data-testid="missing-days">
        {missing === 0 ? "a backup every day" : `${missing} day${missing > 1 ? "s" : ""} without a backup`}
      </div>
    </div>
  );
}

export function FreshnessTable({ rows }: { rows: DatabaseFreshness[] }) {
  if (rows.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        No protected databases yet. An admin adds them under{" "}
        <Link href="/settings/databases" className="text-sky-700 hover:underline">
          Settings → Databases
        </Link>
        , with the locations and key patterns of their backups.
      </p>
    );
  }
  return (
    <ul className="divide-y divide-slate-100" data-testid="freshness">
      {rows.map((d) => (
        <li
          key={d.id}
          className="grid gap-2 py-3 md:grid-cols-[minmax(18rem,1fr)_auto_8rem] md:items-center md:gap-4"
          data-testid={`freshness-${d.name}`}
        >
          <div>
            <div className="flex flex-wrap items-center gap-2 font-medium">
              <Link
                href={`/databases/${d.id}`}
                className="text-sky-800 hover:underline"
                title={`${d.name}: backup size over time, restores and drills`}
              >
                {d.name}
              </Link>{" "}
              <EnvironmentBadge environment={d.environment} />
              {d.configured ? (
                <FreshnessBadge state={d.state} />
              ) : (
                <Badge kind="neutral" testId="freshness-state">
                  ○ no backup location
                </Badge>
              )}
            </div>
            <div className="mt-0.5 text-sm text-slate-700">
              {!d.configured ? (
                <span className="text-slate-600">
                  Lifeboat does not know where its backups are: an admin adds a location and key patterns under{" "}
                  <Link href="/settings/databases" className="text-sky-700 hover:underline">
                    Settings → Databases
                  </Link>
                  .
                </span>
              ) : d.newest && d.ageHours !== null ? (
                <>
                  Newest good backup <strong className="tabular">{formatHours(d.ageHours)}</strong> old, RPO{" "}
                  {formatHours(d.rpoHours)} ·{" "}
                  <Link href={`/backups/${d.newest.id}`} className="text-sky-700 hover:underline">
                    open
                  </Link>
                </>
              ) : (
                <span className="text-red-700">No good backup at all.</span>
              )}
            </div>
            <div className="text-xs text-slate-600">
              Last verified backup:{" "}
              {d.newestVerifiedAt ? (
                <Time value={d.newestVerifiedAt} relative />
              ) : (
                <span className="text-amber-800">none verified</span>
              )}
              {" · "}Last restore:{" "}
              {d.lastRestore ? (
                <Link href={`/restores/${d.lastRestore.runId}`} className="text-sky-700 hover:underline">
                  <Time value={d.lastRestore.at} relative />
                </Link>
              ) : (
                <span className="text-amber-800">never restore-tested</span>
              )}
              {d.problemsLast30Days > 0 && (
                <span className="text-red-700"> · {d.problemsLast30Days} failed or odd-sized in 30 days</span>
              )}
            </div>
          </div>
          {d.configured ? <DayStrip strip={d.strip} /> : <span />}
          <Link href={`/backups?database=${d.id}`} className="text-sm text-sky-700 hover:underline">
            {d.backupCount.toLocaleString("en")} backups →
          </Link>
        </li>
      ))}
    </ul>
  );
}
