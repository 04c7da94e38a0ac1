// A session carries the user's sessionVersion from its sign-in; raising the version (a new
// password, a disabled account) ends every session signed in before, on its next request.

/** Spread into a user update's data to end that user's existing sessions. */
export const revokeSessions = { sessionVersion: { increment: 1 } } as const;

/** A session is still valid while the version it was signed in with is the user's current one. */
export function sessionStillValid(tokenVersion: unknown, userVersion: number): boolean {
  return typeof tokenVersion === "number" && tokenVersion === userVersion;
}
