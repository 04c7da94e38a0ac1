"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { useServerAction } from "@/components/ui/use-server-action";
import { runTestNowAction } from "./plans/actions";

/**
 * "Run test now" (operator): queues the database's monthly test as its plan says and opens the
 * run's live page. A refusal (no plan, a production test server, a test already running) is
 * shown beside the button.
 */
export function RunTestButton({
  databaseId,
  databaseName,
  size = "sm",
}: {
  databaseId: string;
  databaseName: string;
  size?: "sm" | "md";
}) {
  const router = useRouter();
  const { pending, feedback, run } = useServerAction();
  return (
    <div className="space-y-1">
      <Button
        type="button"
        size={size}
        variant="primary"
        loading={pending}
        loadingText="Starting…"
        data-testid="run-test-now"
        aria-label={`Run the monthly test of ${databaseName} now`}
        onClick={() =>
          run(() => runTestNowAction({ databaseId }), {
            onSuccess: (r) => {
              router.push(`/restores/${r.runId}`);
              return "Test started. Opening its run…";
            },
          })
        }
      >
        Run test now
      </Button>
      <Feedback feedback={feedback} testId="run-test-feedback" />
    </div>
  );
}
