"use client";

import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { useServerAction } from "@/components/ui/use-server-action";
import { verifyAuditChainAction } from "./actions";

/** Admin only: recomputes every hash in the log, as `npm run audit:verify` does. */
export function VerifyChain() {
  const { pending, feedback, run, showError } = useServerAction();
  return (
    <section aria-label="Audit chain" className="mb-3 flex flex-wrap items-center gap-3">
      <Button
        loading={pending}
        onClick={() =>
          run(() => verifyAuditChainAction({}), {
            refresh: true,
            onSuccess: (r) => {
              if (!r.ok) {
                showError(
                  `Chain BROKEN at event ${r.broken.seq.toLocaleString("en")}: ${r.broken.reason}. ` +
                    `The ${r.count.toLocaleString("en")} events before it check out. Compare Lifeboat's database ` +
                    "with a backup of it to see what was changed, and treat the console's host as compromised.",
                );
                return;
              }
              const legacy = r.legacy > 0 ? ` (${r.legacy.toLocaleString("en")} from before the chain)` : "";
              const head = r.head
                ? ` Latest: event ${r.head.seq.toLocaleString("en")}, hash ${r.head.hash.slice(0, 16)}…`
                : "";
              return `Chain intact: ${r.count.toLocaleString("en")} events checked${legacy}.${head}`;
            },
          })
        }
      >
        Verify chain
      </Button>
      {!feedback && !pending && (
        <span className="text-sm text-slate-600">
          Recomputes every event&apos;s hash, as npm run audit:verify does.
        </span>
      )}
      <Feedback feedback={feedback} testId="verify-chain-result" className="min-w-0 flex-1 py-2" />
    </section>
  );
}
