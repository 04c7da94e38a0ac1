import { useQuery } from "@tanstack/react-query";
import type { StepResultResponse } from "@/app/api/runs/[id]/steps/[index]/result/route";
import { previewResultSchema, type PreviewStepResult } from "@/lib/restores/preview-result";

// The preview step's stored result, parsed where the run page reads it with the producer's
// schema: a result that does not fit (an older run, a changed producer) shows nothing rather
// than something wrong.
export type RowPreviewResult = PreviewStepResult;

export function rowPreviewOf(result: unknown): RowPreviewResult | null {
  const parsed = previewResultSchema.safeParse(result);
  return parsed.success ? parsed.data : null;
}

const SHOWN = 10;

/** What "Confirm and continue" will copy back: the count and the first rows. */
export function RowPreview({ preview }: { preview: RowPreviewResult }) {
  const n = preview.missing;
  const sample = preview.sample && preview.sample.rows.length > 0 ? preview.sample : null;
  const columns = sample ? sample.columns : [preview.idColumn];
  const rows = sample ? sample.rows.slice(0, SHOWN) : preview.ids.slice(0, SHOWN).map((id) => [id]);
  return (
    <div className="mt-2 rounded-md border border-amber-300 bg-amber-50 p-2" data-testid="row-preview">
      <p className="font-medium [overflow-wrap:anywhere]">
        {n === 0
          ? `No rows of ${preview.table} are missing: confirming copies nothing.`
          : `${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"} of ${preview.table} will be copied back`}
        {n > 0 && (
          <span className="font-normal text-slate-700">
            {" "}
            ({preview.inBackup.toLocaleString("en-US")} selected in the backup,{" "}
            {preview.inProduction.toLocaleString("en-US")} still in production).
          </span>
        )}
      </p>
      {n > 0 && (
        <div className="mt-1 max-w-full overflow-x-auto">
          <table className="text-xs">
            <caption className="text-left text-slate-600">
              {rows.length < n
                ? `The first ${rows.length} of ${n.toLocaleString("en-US")}`
                : `All ${n.toLocaleString("en-US")}`}
            </caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th
                    key={c}
                    scope="col"
                    className="border-b border-amber-300 px-2 py-0.5 text-left font-mono font-semibold"
                  >
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="tabular font-mono">
              {rows.map((r, i) => (
                <tr key={i}>
                  {r.map((v, j) => (
                    <td key={j} className="max-w-48 truncate px-2 py-0.5" title={v}>
                      {v}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/**
 * The preview step's result as the run view carries it: inline when small, else fetched once
 * from the step's result route (a big result is not sent with every poll).
 */
export function StepRowPreview({
  runId,
  step,
}: {
  runId: string;
  step: { index: number; result: unknown; resultDeferred?: boolean };
}) {
  const deferred = step.resultDeferred === true;
  const { data, error, isPending } = useQuery({
    queryKey: ["run-step-result", runId, step.index],
    enabled: deferred,
    staleTime: Infinity,
    queryFn: async (): Promise<StepResultResponse> => {
      const res = await fetch(`/api/runs/${runId}/steps/${step.index}/result`, { cache: "no-store" });
      if (!res.ok) throw new Error(((await res.json()) as { error?: string }).error ?? `HTTP ${res.status}`);
      return res.json();
    },
  });
  if (!deferred) {
    const preview = rowPreviewOf(step.result);
    return preview ? <RowPreview preview={preview} /> : null;
  }
  if (error)
    return (
      <p className="mt-2 text-red-800" role="alert">
        The preview could not be loaded ({error.message}): reload the page before you confirm.
      </p>
    );
  if (isPending) return <p className="mt-2 text-slate-600">Loading the preview of the rows to copy back…</p>;
  const preview = rowPreviewOf(data.result);
  return preview ? <RowPreview preview={preview} /> : null;
}
