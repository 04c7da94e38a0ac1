// Slows password guessing: after MAX_FAILURES wrong passwords for one e-mail within
// WINDOW_MS, that e-mail is refused for the rest of the window. In memory, per
// console process: enough for one instance; several instances each keep their own.
const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60 * 1000;

export function createThrottle(max = MAX_FAILURES, windowMs = WINDOW_MS, now = () => Date.now()) {
  const failures = new Map<string, number[]>();
  const recent = (key: string) => (failures.get(key) ?? []).filter((t) => now() - t < windowMs);
  return {
    isLocked(key: string) {
      return recent(key).length >= max;
    },
    fail(key: string) {
      failures.set(key, [...recent(key), now()]);
    },
    succeed(key: string) {
      failures.delete(key);
    },
  };
}

export const signInThrottle = createThrottle();
