import { randomUUID } from "node:crypto";

// One console process = one runner instance. Its id marks the runs it executes (Run.leaseOwner);
// a new process gets a new id, so a lease left by a dead process is never mistaken for ours.
export const INSTANCE_ID = `${process.pid}-${randomUUID()}`;

export type RunnerTimings = {
  /** How long a lease stays valid without renewal. */
  leaseMs: number;
  /** How often an executing run renews its lease (and notices a cancel from another instance). */
  renewMs: number;
  /** Log lines are written in batches at most this far apart (and at each step's end). */
  logFlushMs: number;
  /** Progress is written at most once per this interval (and at each step's end). */
  progressMs: number;
  /** A waiting (manual) step looks for its completion from another instance this often. */
  waitPollMs: number;
  /** How often startRunRecovery() looks for runs whose instance died. */
  recoverEveryMs: number;
};

const DEFAULTS: RunnerTimings = {
  leaseMs: 20_000,
  renewMs: 5_000,
  logFlushMs: 250,
  progressMs: 500,
  waitPollMs: 1_000,
  recoverEveryMs: 10_000,
};

let current: RunnerTimings = { ...DEFAULTS };

export function timings(): RunnerTimings {
  return current;
}

/** Tests shorten the lease; returns the previous timings. */
export function configureRunner(next: Partial<RunnerTimings>): RunnerTimings {
  const merged = { ...current, ...next };
  if (merged.renewMs >= merged.leaseMs)
    throw new Error("renewMs must be shorter than leaseMs, or a live run would look dead");
  const previous = current;
  current = merged;
  return previous;
}

export function leaseUntil(from = Date.now()): Date {
  return new Date(from + current.leaseMs);
}
