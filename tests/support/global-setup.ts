import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

// One throwaway Lifeboat database for the run, migrated the way production is.
export default async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-vitest-"));
  const url = `file:${path.join(dir, "lifeboat.db")}`;
  process.env.LIFEBOAT_DATABASE_URL = url;
  await execa("node", ["node_modules/prisma/build/index.js", "migrate", "deploy"], {
    env: { LIFEBOAT_DATABASE_URL: url },
    stdio: "pipe",
  });
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
