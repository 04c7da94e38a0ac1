import "server-only";
import { db } from "@/lib/db";
import { isActiveRun, storedRunStatus } from "@/lib/runner/states";
import { onRunChanged } from "@/lib/runner/events";

// The run page's log must follow a running child within a second without asking the server for
// the whole run several times a second: its request waits here until a new log line or a state
// change, at most a second, then gets the run view as before. The executing process wakes the
// waiters the moment it writes (same process); a run executed by another console process is
// noticed by a cheap indexed look every quarter second.

const CHECK_MS = 250;

type Waiters = Map<string, Set<() => void>>;
// On globalThis: Next bundles routes and the runner separately, and both must see the same set.
const globalForLive = globalThis as unknown as { lifeboatRunWaiters?: Waiters };
const waiters = (globalForLive.lifeboatRunWaiters ??= new Map());

/** Wakes every request waiting on this run (log lines written, a step or the run changed). */
export function wakeRunWatchers(runId: string): void {
  const set = waiters.get(runId);
  if (!set) return;
  waiters.delete(runId);
  for (const wake of set) wake();
}

// A person's step (confirm, tick, cancel) changes the run outside the executor: wake too.
const globalForListener = globalThis as unknown as { lifeboatRunWaitersListening?: boolean };
if (!globalForListener.lifeboatRunWaitersListening) {
  globalForListener.lifeboatRunWaitersListening = true;
  onRunChanged((runId) => wakeRunWatchers(runId));
}

function nextWake(runId: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const set = waiters.get(runId) ?? new Set<() => void>();
    waiters.set(runId, set);
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      set.delete(done);
      if (set.size === 0 && waiters.get(runId) === set) waiters.delete(runId);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    set.add(done);
  });
}

/**
 * Resolves once the run has a log line after `afterLogId`, is not active (nothing more will
 * come by itself), was woken by its executor, or `maxMs` passed (the caller then answers with
 * what there is, so a state change without a log line still shows within `maxMs`).
 */
export async function waitForRunNews(
  runId: string,
  afterLogId: number,
  opts: { maxMs: number; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + opts.maxMs;
  for (;;) {
    const [line, run] = await Promise.all([
      db.runLog.findFirst({ where: { runId, id: { gt: afterLogId } }, select: { id: true } }),
      db.run.findUnique({ where: { id: runId }, select: { status: true } }),
    ]);
    if (line || !run || !isActiveRun(storedRunStatus(run.status))) return;
    const left = deadline - Date.now();
    if (left <= 0 || opts.signal?.aborted) return;
    let woken = false;
    await Promise.race([nextWake(runId, Math.min(left, CHECK_MS), opts.signal).then(() => (woken = true))]);
    void woken;
  }
}
