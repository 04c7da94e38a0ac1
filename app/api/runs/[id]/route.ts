import { withRole } from "@/lib/api/route";
import { getRestoreRun } from "@/lib/restores/queries";
import { waitForRunNews } from "@/lib/runner/live";

export const dynamic = "force-dynamic";

/** How long a ?wait request may hold before answering with what there is. */
const MAX_WAIT_MS = 1_000;

// Polled by the run page: the run, its steps with elapsed times, and log lines after ?after=.
// With ?wait=1 (the page while a run moves) it answers as soon as a new log line or a change
// arrives, or after a second at most.
export const GET = withRole("viewer", async (req, { params }) => {
  const url = new URL(req.url);
  const after = Number(url.searchParams.get("after") ?? 0);
  const afterLogId = Number.isSafeInteger(after) && after > 0 ? after : 0;
  const runId = String(params.id);
  if (url.searchParams.get("wait") === "1")
    await waitForRunNews(runId, afterLogId, { maxMs: MAX_WAIT_MS, signal: req.signal });
  return getRestoreRun(runId, { afterLogId });
});
export type RunResponse = Awaited<ReturnType<typeof getRestoreRun>>;
