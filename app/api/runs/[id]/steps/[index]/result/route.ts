import { withRole } from "@/lib/api/route";
import { NotFoundError } from "@/lib/errors";
import { getRestoreRunStepResult } from "@/lib/restores/queries";

export const dynamic = "force-dynamic";

// A step's whole result, fetched by the run page when the polled view left it out (too big).
export const GET = withRole("viewer", async (_req, { params }) => {
  const index = Number(params.index);
  if (!Number.isSafeInteger(index) || index < 0) throw new NotFoundError("The run step");
  return getRestoreRunStepResult(String(params.id), index);
});
export type StepResultResponse = Awaited<ReturnType<typeof getRestoreRunStepResult>>;
