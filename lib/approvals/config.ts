import "server-only";
import { env } from "@/lib/env";

// The two-person rule's settings (LIFEBOAT_TWO_PERSON_ENVIRONMENTS, LIFEBOAT_APPROVAL_MINUTES) and
// its clock. The clock can be replaced by tests, so that an expired approval is tested without
// waiting half an hour and without faking the timers the database driver relies on.

let clock: () => Date = () => new Date();

export function approvalNow(): Date {
  return clock();
}

/** Replaces the clock (tests); returns the previous one so it can be put back. */
export function setApprovalClock(next: () => Date): () => Date {
  const previous = clock;
  clock = next;
  return previous;
}

export function twoPersonEnvironments(): readonly string[] {
  return env().LIFEBOAT_TWO_PERSON_ENVIRONMENTS;
}

export function approvalValidityMs(): number {
  return env().LIFEBOAT_APPROVAL_MINUTES * 60_000;
}
