import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badges";
import { Time } from "@/components/time";
import type { walArchiveVerdicts } from "@/lib/pitr/queries";

type Row = Awaited<ReturnType<typeof walArchiveVerdicts>>[number];

/** The dashboard's WAL archives: red when archiving fails, the repository is unreadable or the WAL RPO is breached. */
export function WalArchivesCard({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return null;
  const bad = rows.some((r) => r.verdict.state !== "ok" && r.verdict.state !== "unknown");
  return (
    <Card title="Point-in-time recovery (WAL archives)" className={`lg:col-span-3 ${bad ? "border-red-300" : ""}`}>
      <ul className="divide-y divide-slate-100 text-sm" data-testid="dashboard-wal-archives">
        {rows.map((r) => {
          const h = r.health;
          const tone = r.verdict.state === "ok" ? "good" : r.verdict.state === "unknown" ? "neutral" : "bad";
          return (
            <li key={r.databaseId} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
              <Badge kind={tone}>
                {tone === "good" ? "✓" : tone === "bad" ? "✗" : "?"} {r.verdict.words}
              </Badge>
              <Link
                href={`/databases/${r.databaseId}#wal-archive`}
                className="font-medium text-sky-700 hover:underline"
              >
                {r.databaseName}
              </Link>
              {r.demo && <span className="text-xs text-amber-900">demo sample data, no real archive</span>}
              {h?.newestRecoverable ? (
                <span className="text-slate-700">
                  recoverable to <Time value={h.newestRecoverable} />
                </span>
              ) : (
                <span className="text-slate-600">no recoverable moment yet</span>
              )}
              {h?.failing && h.archiver && (
                <span className="text-red-800">
                  {h.archiver.failedCount} failed attempts, last {h.archiver.lastFailedWal}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
