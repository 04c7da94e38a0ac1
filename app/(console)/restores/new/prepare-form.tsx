"use client";

import { useRouter } from "next/navigation";
import type { ScenarioId } from "@/lib/scenarios/registry";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { useServerAction } from "@/components/ui/use-server-action";
import { prepareRunAction } from "../actions";

type Candidate = { id: string; label: React.ReactNode };

const SCENARIO_FIELDS = ["table", "idColumn", "ids", "healthUrls"] as const;

export function PrepareForm({
  scenarioId,
  fields,
  databaseId,
  fromDatabaseId,
  suggestedId,
  candidates,
  drill,
}: {
  scenarioId: ScenarioId;
  fields: "deleted-rows" | "health-urls" | null;
  databaseId: string;
  /** Set when "Backups of" names another database: the server refuses another database's backup without it. */
  fromDatabaseId: string | null;
  suggestedId: string | null;
  candidates: Candidate[];
  drill: { id: string; step: number } | null;
}) {
  const router = useRouter();
  const { pending, error, run } = useServerAction();

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    run(
      () =>
        prepareRunAction({
          scenarioId,
          databaseId,
          backupId: String(f.get("backupId") ?? ""),
          ...(fromDatabaseId ? { fromDatabaseId } : {}),
          // The scenario's own fields (only those rendered below); its inputSchema checks them on the server.
          input: Object.fromEntries(SCENARIO_FIELDS.filter((k) => f.has(k)).map((k) => [k, String(f.get(k))])),
          ...(drill ? { drillId: drill.id, drillStep: drill.step } : {}),
        }),
      { onSuccess: (d) => router.push(`/restores/${d.runId}`) },
    );
  }

  const input = "w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  return (
    <form onSubmit={onSubmit} aria-label="Choose the backup" className="space-y-4">
      <fieldset className="space-y-1">
        <legend className="sr-only">Backup</legend>
        {candidates.map((c) => (
          <label
            key={c.id}
            className="flex items-start gap-2 rounded-md border border-slate-200 bg-white p-2 text-sm has-[:checked]:border-sky-600 has-[:checked]:bg-sky-50"
          >
            <input
              type="radio"
              name="backupId"
              value={c.id}
              defaultChecked={c.id === (suggestedId ?? candidates[0]?.id)}
              className="mt-1"
            />
            <span className="min-w-0">
              {c.label}
              {c.id === suggestedId && <span className="ml-1 text-xs font-semibold text-sky-800">suggested</span>}
            </span>
          </label>
        ))}
      </fieldset>
      {fields === "deleted-rows" && (
        <fieldset className="grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-3">
          <legend className="px-1 text-sm font-semibold">Which rows were deleted?</legend>
          <label className="text-sm">
            Table (schema.table)
            <input name="table" className={`${input} font-mono`} placeholder="public.transactions" />
          </label>
          <label className="text-sm">
            Id column
            <input name="idColumn" defaultValue="id" className={`${input} font-mono`} />
          </label>
          <label className="text-sm">
            Ids: a list (1, 5, 9) or a range (100-250)
            <input name="ids" className={`${input} font-mono`} placeholder="100-250" />
          </label>
        </fieldset>
      )}
      {fields === "health-urls" && (
        <label className="block rounded-lg border border-slate-200 bg-white p-3 text-sm">
          Health and readiness URLs to check after the restore (one per line, optional)
          <textarea
            name="healthUrls"
            rows={2}
            className={`${input} font-mono`}
            placeholder="https://app.example.com/health"
          />
        </label>
      )}
      {drill && (
        <p className="rounded-md border border-sky-200 bg-sky-50 p-2 text-sm text-sky-900" data-testid="drill-link">
          Part of a drill: the run&apos;s measured time becomes the drill step&apos;s time.
        </p>
      )}
      <Feedback feedback={error} testId="prepare-error" />
      <Button type="submit" variant="primary" size="lg" loading={pending} loadingText="Running preflight…">
        Preflight and plan
      </Button>
      <p className="text-xs text-slate-600">
        Nothing is changed yet: the next page shows every step and its exact command, then asks you to type the
        target&apos;s name.
      </p>
    </form>
  );
}
