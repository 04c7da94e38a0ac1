import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createFixtureDatabase, dropDatabase, testConnection } from "@/lib/postgres/test-support";
import { planFor } from "@/lib/restores/plans";
import { countsOf, executePlan } from "@/lib/restores/test-support";
import { createStorage } from "@/lib/storage/create-storage";

// What `ps` shows during a restore: every process's command line (and, for the client tools,
// their environment, which /proc exposes to the same user) is sampled while pg_dump,
// pg_restore and psql run, and the database password is in none of them. The sampling itself
// is checked: it must have caught the tools at work, or the test proves nothing.

const TIMEOUT = 180_000;
const TOOLS = ["pg_dump", "pg_restore", "psql"];
let dir: string;
let workDir: string;
const toDrop: string[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-no-secret-ps-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-no-secret-ps-work-"));
});

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(workDir, { recursive: true, force: true });
});

type Seen = { pid: string; tool: string; args: string; env: string };

function ppidOf(pid: string): string | null {
  try {
    // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? null;
  } catch {
    return null;
  }
}

/** One look at every process, as `ps -eo args` would show it (NULs as spaces). */
function sample(into: Map<string, Seen>) {
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let args = "";
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    } catch {
      continue; // gone already
    }
    const tool = path.basename(args.split(" ")[0] ?? "");
    // Other test files may run at the same time: the tools looked at closely are this one's children.
    const mine = ppidOf(pid) === String(process.pid);
    let env = "";
    if (TOOLS.includes(tool) && mine) {
      try {
        env = fs.readFileSync(`/proc/${pid}/environ`, "utf8").replace(/\0/g, "\n");
      } catch {
        // gone, or another user's
      }
    }
    const key = `${pid} ${args}`;
    if (!into.has(key) || env) into.set(key, { pid, tool: mine ? tool : "", args, env });
  }
}

test(
  "ps during a backup and a restore shows no password, in argv or in the tools' environment",
  async () => {
    const conn = await createFixtureDatabase("nosecret_ps");
    toDrop.push(conn.database);
    const password = testConnection().password ?? "";
    expect(password.length).toBeGreaterThan(5);
    const seen = new Map<string, Seen>();
    const timer = setInterval(() => sample(seen), 5);
    try {
      const storage = createStorage({ kind: "local", path: dir, prefix: "" });
      const key = `${conn.database}/backup.dump`;
      const made = await createBackup({ conn, storage, key, format: "custom" });
      const before = await countsOf(conn);
      await runPsqlQuery(conn, "DROP TABLE wallet_events");
      const plan = planFor({
        scenarioId: "database-corruption",
        target: { name: conn.database, environment: "test", conn, migrationHead: DEFAULT_HEAD_SOURCE },
        backup: { storage, key, size: made.size, format: "custom", manifest: made.manifest, locationName: "test" },
        now: new Date(),
        options: { workDir },
      });
      const s = plan.summary as { scratchDatabase: string; oldCopy: string };
      toDrop.push(s.scratchDatabase, s.oldCopy);
      const run = await executePlan(plan);
      if (run.failed) throw run.failed.error;
      expect(await countsOf(conn)).toEqual(before);
    } finally {
      clearInterval(timer);
    }

    const tools = [...seen.values()].filter((p) => TOOLS.includes(p.tool));
    // The sampling saw the tools at work (a restore runs dozens of them).
    expect(new Set(tools.map((p) => p.tool))).toEqual(new Set(TOOLS));
    // The ones that connect (Lifeboat sets PGUSER for those) got the password through a
    // passfile, none through PGPASSWORD.
    const connecting = tools.filter((p) => /^PGUSER=/m.test(p.env));
    expect(connecting.length).toBeGreaterThan(3);
    expect(connecting.filter((p) => !/^PGPASSFILE=/m.test(p.env)).map((p) => `${p.args}\n${p.env}`)).toEqual([]);
    expect(tools.filter((p) => /^PGPASSWORD=/m.test(p.env)).map((p) => p.args)).toEqual([]);
    const leaks = [...seen.values()].filter((p) => p.args.includes(password) || p.env.includes(password));
    expect(leaks.map((p) => `${p.pid}: ${p.args}`)).toEqual([]);
  },
  TIMEOUT,
);
