import { Cron } from "croner";

// Schedules are cron expressions in UTC with five fields (minute hour day month weekday), read
// by croner. Pure: the scheduler, the form's preview and the tests share them.

export const DEFAULT_CRON = "0 2 * * *";

/** Why the expression cannot be used, or null when it can. */
export function cronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5)
    return `A schedule has five fields (minute hour day-of-month month day-of-week), e.g. ${DEFAULT_CRON} for 02:00 UTC every day; "${expression.trim()}" has ${parts.length}.`;
  try {
    if (!cronOf(expression).nextRun(new Date())) return "This schedule never comes due.";
  } catch (e) {
    return `This is not a cron expression croner understands (${e instanceof Error ? e.message.replace(/^CronPattern: /, "") : "invalid"}). Example: ${DEFAULT_CRON} for 02:00 UTC every day.`;
  }
  return null;
}

function cronOf(expression: string): Cron {
  return new Cron(expression.trim(), { timezone: "UTC", paused: true });
}

/** The first due time strictly after `after`. */
export function nextDue(expression: string, after: Date): Date | null {
  return cronOf(expression).nextRun(after);
}

/** The latest due time at or before `now`, or null when there was none since `since`. */
export function latestDueSince(expression: string, since: Date, now: Date): Date | null {
  // croner's previousRuns excludes a run at exactly the reference: look from 1 ms later.
  const [latest] = cronOf(expression).previousRuns(1, new Date(now.getTime() + 1));
  return latest && latest.getTime() > since.getTime() ? latest : null;
}
