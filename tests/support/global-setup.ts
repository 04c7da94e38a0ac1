import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

// Runs once per vitest run, in the main process, before any test worker starts (workers
// inherit process.env as set here).
//
// 1. One throwaway Lifeboat database for the run, migrated the way production is.
// 2. The real test servers (PostgreSQL, S3, Azure, GCS) unless someone already started
//    them: scripts/test-all.sh starts them itself and exports services.env, so only a
//    bare `npx vitest run` starts (and afterwards stops) its own.

// Both vitest and Playwright run from the project root.
const ROOT = process.cwd();

/** Parses services.env (KEY='value' lines, as services.sh writes them). */
function parseServicesEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(?:'([^']*)'|(.*))$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = m[2] ?? m[3] ?? "";
  }
  return out;
}

export async function startServices(): Promise<() => Promise<void>> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-services-"));
  fs.chmodSync(runDir, 0o755); // the postgres user must reach RUN_DIR/pg
  const stop = async () => {
    await execa("bash", ["scripts/services.sh", "stop", runDir], { cwd: ROOT, stdio: "inherit", reject: false });
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await execa("bash", ["scripts/services.sh", "start", runDir], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
  } catch (e) {
    await stop();
    throw e;
  }
  Object.assign(process.env, parseServicesEnv(fs.readFileSync(path.join(runDir, "services.env"), "utf8")));
  return stop;
}

export default async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-vitest-"));
  const url = `file:${path.join(dir, "lifeboat.db")}`;
  process.env.LIFEBOAT_DATABASE_URL = url;
  await execa("node", ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { LIFEBOAT_DATABASE_URL: url },
    stdio: "pipe",
  });
  let stopServices: (() => Promise<void>) | null = null;
  try {
    if (!process.env.TEST_S3_ENDPOINT) stopServices = await startServices();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return async () => {
    await stopServices?.();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
