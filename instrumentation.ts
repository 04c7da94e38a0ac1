// Runs once when the server starts: a missing or malformed variable stops start-up
// with a message naming it (lib/startup.ts), instead of failing on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./lib/startup");
}
