// Page benchmark: do the console's busiest pages stay fast with years of history?
//   1. A temporary Lifeboat database seeded with 100,000 catalogued backups (8 databases, one
//      local location), 2,000 finished restore runs with their steps and log lines, and 500
//      drills with their timed steps (bench/pages-history.ts).
//   2. The production build (built first when the sources are newer than .next) served by
//      `next start` on a free 127.0.0.1 port against that database; one admin signs in through
//      the credentials form's endpoints to get a session cookie.
//   3. Dashboard, Backups, Restores and Drills: a warm-up, then each page BENCH_PAGE_REQUESTS
//      times (default 50), interleaved with the order rotated every round; the time of one
//      request is until its whole HTML has arrived (server-side rendering included). Prints p50
//      and p95 per page with the load average (goal: every p95 ≤ 300 ms), writes
//      bench/results/pages-<time>.json (and each page's last HTML beside it) and exits non-zero
//      when a goal is missed.
// Run: npm run bench -- pages
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { interleave, load, writeResults } from "./rounds";
import { signIn, startConsole } from "./console";
import { seedHistory } from "./pages-history";

const REQUESTS = Math.max(10, Math.floor(Number(process.env.BENCH_PAGE_REQUESTS ?? 50)) || 50);
const WARM_UP = 5;
const P95_GOAL_MS = 300;
const PASSWORD = "bench-password-not-secret";
const EMAIL = "bench-admin@bench.test";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bench-pages-"));
const backupsDir = path.join(dir, "backups");
fs.mkdirSync(backupsDir);
const serverEnv = {
  LIFEBOAT_DATABASE_URL: `file:${dir}/lifeboat.db`,
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-bench-secret-bench-secret-00",
  LIFEBOAT_ENCRYPTION_KEY: process.env.LIFEBOAT_ENCRYPTION_KEY ?? Buffer.alloc(32, 3).toString("base64"),
  LIFEBOAT_LOCAL_ROOTS: backupsDir,
  LIFEBOAT_SYNC_INTERVAL_MINUTES: "0",
};
Object.assign(process.env, serverEnv);

const PAGES = [
  { name: "dashboard", path: "/", heading: "Dashboard" },
  { name: "backups", path: "/backups", heading: "Backups" },
  { name: "restores", path: "/restores", heading: "Restore" },
  { name: "drills", path: "/drills", heading: "Drills" },
] as const;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function main() {
  const loadBefore = load();
  await execa("node", ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { LIFEBOAT_DATABASE_URL: serverEnv.LIFEBOAT_DATABASE_URL },
  });
  const t0 = performance.now();
  const counts = await seedHistory({ email: EMAIL, password: PASSWORD, backupsDir });
  console.log(
    `seeded ${counts.backups.toLocaleString("en")} backups, ${counts.runs.toLocaleString("en")} runs (${counts.runSteps.toLocaleString("en")} steps, ${counts.runLogs.toLocaleString("en")} log lines), ${counts.drills} drills in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const { base, stop } = await startConsole(serverEnv);
  try {
    const cookie = await signIn(base, EMAIL, PASSWORD);

    async function request(page: (typeof PAGES)[number]) {
      const t = performance.now();
      const res = await fetch(`${base}${page.path}`, { headers: { cookie }, redirect: "manual" });
      const html = await res.text();
      const ms = performance.now() - t;
      // The page itself, not the sign-in form or an error page.
      if (res.status !== 200 || !html.includes(`>${page.heading}</h1>`))
        throw new Error(`${page.path} answered HTTP ${res.status} without its heading "${page.heading}"`);
      return { ms, bytes: html.length, html };
    }
    for (let i = 0; i < WARM_UP; i++) for (const p of PAGES) await request(p);
    const rounds = await interleave(
      Object.fromEntries(PAGES.map((p) => [p.name, () => request(p)])) as Record<
        (typeof PAGES)[number]["name"],
        () => Promise<{ ms: number; bytes: number; html: string }>
      >,
      REQUESTS,
    );
    const results = PAGES.map((p) => {
      const ms = rounds[p.name].map((r) => r.ms);
      return {
        page: p.name,
        path: p.path,
        requests: ms.length,
        p50Ms: pct(ms, 50),
        p95Ms: pct(ms, 95),
        maxMs: Math.max(...ms),
        htmlBytes: rounds[p.name].at(-1)!.bytes,
      };
    });
    console.log(`pages, ${REQUESTS} requests each after ${WARM_UP} warm-up, signed in as an admin:`);
    for (const r of results)
      console.log(
        `  ${r.page.padEnd(10)} ${r.path.padEnd(10)} p50 ${r.p50Ms.toFixed(0).padStart(4)} ms  p95 ${r.p95Ms.toFixed(0).padStart(4)} ms  (max ${r.maxMs.toFixed(0)} ms, ${(r.htmlBytes / 1024).toFixed(0)} KiB)  goal p95 ≤ ${P95_GOAL_MS} ms`,
      );
    const file = writeResults("pages", loadBefore, {
      history: counts,
      requests: REQUESTS,
      p95GoalMs: P95_GOAL_MS,
      pages: results,
    });
    // Each page's last HTML beside the results, to see what a heavy page renders.
    for (const p of PAGES) fs.writeFileSync(file.replace(/\.json$/, `-${p.name}.html`), rounds[p.name].at(-1)!.html);
    const missed = results.filter((r) => !(r.p95Ms <= P95_GOAL_MS));
    if (missed.length > 0) {
      console.error(
        `FAILED: p95 above ${P95_GOAL_MS} ms for ${missed.map((r) => `${r.page} (${r.p95Ms.toFixed(0)} ms)`).join(", ")}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await stop();
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
