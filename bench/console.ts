// What the benchmarks that measure the console in a browser or over HTTP share: a free port, the
// production build served by `next start` against a benchmark's own database, and a signed-in
// session cookie from the credentials sign-in's own endpoints.
import net from "node:net";
import { execa } from "execa";
// What `next start` sets up before anything of Next loads (AsyncLocalStorage on globalThis):
// lib/ modules a benchmark imports load parts of Next too, before startConsoleInProcess.
import "next/dist/server/node-environment";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Builds when a source is newer than the last build (the same check as npm start), then serves
 * the build on a free port with `env` (Lifeboat's variables) and waits for /api/health.
 */
export async function startConsole(env: Record<string, string>): Promise<{ base: string; stop: () => Promise<void> }> {
  await execa("bash", ["-c", "source scripts/lib.sh && build_if_stale"], { stdio: "inherit" });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = execa("node", ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...env, NEXTAUTH_URL: base, NODE_ENV: "production" },
    reject: false,
    all: true,
  });
  let log = "";
  server.all?.on("data", (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    server.kill("SIGTERM");
    await server;
  };
  try {
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 600 || server.exitCode !== null) throw new Error(`the console did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { base, stop };
}

/** Signs in with e-mail and password; returns the session cookie ("name=value"). */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }).toString(),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`signing in gave no session cookie (HTTP ${res.status})`);
  return session;
}

/**
 * The same build served from this process (Next's programmatic server), for a benchmark whose
 * own work must run where the console runs: a run executed here shares the console's database
 * connection and wakes its waiting requests, as a run the console executes itself does.
 */
export async function startConsoleInProcess(
  env: Record<string, string>,
): Promise<{ base: string; stop: () => Promise<void> }> {
  await execa("bash", ["-c", "source scripts/lib.sh && build_if_stale"], { stdio: "inherit" });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  Object.assign(process.env, env, { NEXTAUTH_URL: base, NODE_ENV: "production" });
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: process.cwd(), hostname: "127.0.0.1", port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const http = await import("node:http");
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    base,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    },
  };
}
