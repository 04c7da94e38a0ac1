"use client";

import Link from "next/link";
import { Time } from "@/components/time";
import { Badge, EnvironmentBadge, VerificationBadge } from "@/components/ui/badges";
import { CopyButton } from "@/components/ui/copy-button";
import { MiddleTruncate } from "@/components/ui/middle-truncate";
import type { RetentionClass } from "@/lib/backups/retention";

/**
 * What one row of the Backups table shows, prepared on the server: the page ships these few
 * fields once (as data), instead of every row's markup twice (as HTML and again as the server
 * components' payload), which made a 50-row page weigh 275 KB.
 */
export type BackupRowView = {
  id: string;
  key: string;
  takenAt: string;
  /** "demo-local · SQL + gzip · pre-migration" */
  where: string;
  sizeText: string;
  sizeAnomaly: string | null;
  database: { name: string; production: boolean } | null;
  retentionClass: RetentionClass | null;
  verificationState: string;
  verificationSummary: string | null;
};

function RetentionCell({ c }: { c: RetentionClass | null }) {
  if (c === null)
    return (
      <span className="text-slate-500" title="Matches no database's key patterns, so no retention applies">
        unassigned
      </span>
    );
  if (c === "past_retention") return <Badge kind="warn">past retention</Badge>;
  if (c === "critical") return <Badge kind="info">critical</Badge>;
  return c;
}

export function BackupRows({ rows }: { rows: BackupRowView[] }) {
  return (
    <tbody>
      {rows.map((b) => (
        <tr key={b.id}>
          <td className="whitespace-nowrap">
            <Time value={b.takenAt} relative compact />
          </td>
          <td className="key">
            <div className="flex items-center gap-1">
              {/* The label: the key's two halves are flex items, which a browser may read with a space between them. */}
              <Link
                href={`/backups/${b.id}`}
                aria-label={b.key}
                className="flex min-w-0 text-xs text-sky-800 hover:underline"
              >
                <MiddleTruncate text={b.key} />
              </Link>
              <CopyButton text={b.key} label="Copy the key" />
            </div>
            <div
              className="truncate text-xs text-slate-500"
              title={b.sizeAnomaly ? `size: ${b.sizeAnomaly}` : undefined}
            >
              {b.sizeAnomaly && <span className="text-amber-900">{`▲ size: ${b.sizeAnomaly} · `}</span>}
              {b.where}
            </div>
          </td>
          <td className="whitespace-nowrap">
            {b.database ? (
              <>
                {b.database.name}
                {b.database.production && (
                  <div>
                    <EnvironmentBadge environment="production" />
                  </div>
                )}
              </>
            ) : (
              <span className="text-slate-500">not assigned</span>
            )}
          </td>
          <td className="num">
            {b.sizeAnomaly ? (
              <span className="text-amber-900" title={`size: ${b.sizeAnomaly}`}>
                ▲ {b.sizeText}
              </span>
            ) : (
              b.sizeText
            )}
          </td>
          <td className="whitespace-nowrap">
            <RetentionCell c={b.retentionClass} />
          </td>
          <td>
            <VerificationBadge state={b.verificationState} title={b.verificationSummary} />
          </td>
        </tr>
      ))}
    </tbody>
  );
}
