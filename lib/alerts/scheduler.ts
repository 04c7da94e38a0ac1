import "server-only";
import { onRunChanged } from "@/lib/runner/events";
import { checkRpo } from "@/lib/alerts/rpo-check";
import { reconcileAllRunAlerts, reconcileRunAlerts } from "@/lib/alerts/run-alerts";
import { kickDeliveries } from "@/lib/alerts/deliveries";
import { reconcileVerificationAlerts } from "@/lib/alerts/verification-alerts";
import { checkTestsAndDrillsOverdue } from "@/lib/monthly-tests/overdue-check";

// Started once per console process (lib/startup.ts), on its own timers: the RPO check does not
// depend on syncs, backups or runs happening, which is the point of a dead-man switch.

export const RPO_CHECK_EVERY_MS = 5 * 60_000;
const DELIVERIES_EVERY_MS = 15_000;

let started = false;

/** Restore runs announce their changes; each is reconciled into incidents at once. */
export function listenToRuns(): () => void {
  return onRunChanged((runId) => reconcileRunAlerts(runId));
}

export function startAlertWork(): void {
  if (started) return;
  started = true;
  listenToRuns();
  const check = () =>
    void (async () => {
      await checkRpo();
      await reconcileAllRunAlerts();
      await reconcileVerificationAlerts();
      await checkTestsAndDrillsOverdue();
    })().catch((e: unknown) => console.error("[lifeboat] the alert check failed:", e));
  setTimeout(check, 30_000).unref();
  setInterval(check, RPO_CHECK_EVERY_MS).unref();
  // Retries that came due, and deliveries a stopped console left behind.
  setInterval(() => kickDeliveries(), DELIVERIES_EVERY_MS).unref();
}
