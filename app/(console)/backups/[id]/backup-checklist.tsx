import Link from "next/link";
import type { ChecklistItem } from "@/lib/backups/checklist";

/** The guide's checklist for one backup: each tick with its evidence, each gap with what to do. */
export function BackupChecklist({ items }: { items: ChecklistItem[] }) {
  const done = items.filter((i) => i.ok).length;
  return (
    <div className="text-sm">
      <p className="mb-2 text-slate-600" data-testid="checklist-summary">
        {done} of {items.length} proven{done === items.length ? ": this backup meets the guide's checklist." : "."}
      </p>
      <ul className="divide-y divide-slate-100" data-testid="backup-checklist">
        {items.map((i) => (
          <li key={i.key} className="flex gap-2 py-1.5" data-testid={`check-${i.key}`} data-ok={i.ok}>
            <span
              aria-hidden
              className={`mt-0.5 inline-flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-xs font-bold ${i.ok ? "bg-emerald-100 text-emerald-800" : "bg-amber-100 text-amber-900"}`}
            >
              {i.ok ? "✓" : "!"}
            </span>
            <div className="min-w-0 [overflow-wrap:anywhere]">
              <strong>{i.label}</strong> <span className="sr-only">{i.ok ? "(done)" : "(not done)"}</span>
              <span className="text-slate-700"> — {i.evidence}</span>
              {i.todo && <div className="text-amber-900">What to do: {i.todo}</div>}
              {i.href && (
                <div>
                  <Link href={i.href} className="text-xs text-sky-700 hover:underline">
                    See the evidence
                  </Link>
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
