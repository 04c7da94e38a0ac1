import { withRole } from "@/lib/api/route";
import { getRestoreRun } from "@/lib/restores/queries";

export const dynamic = "force-dynamic";

// Polled by the run page: the run, its steps with elapsed times, and log lines after ?after=.
export const GET = withRole("viewer", async (req, { params }) => {
  const after = Number(new URL(req.url).searchParams.get("after") ?? 0);
  return getRestoreRun(String(params.id), { afterLogId: Number.isSafeInteger(after) && after > 0 ? after : 0 });
});
export type RunResponse = Awaited<ReturnType<typeof getRestoreRun>>;
