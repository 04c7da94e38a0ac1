import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import { createStorage } from "@/lib/storage/create-storage";
import { planFor } from "./plans";
import { PREVIEW_IDS_KEPT, previewResultSchema } from "./preview-result";
import { countsOf, executePlan } from "./test-support";

// A deletion of thousands of rows: the preview's stored result (sent to the run page on every
// poll) keeps the first ids and the count, while the copy-back still inserts every row the
// operator confirmed, and only those (the whole list is checked against the preview's sha256).

const TIMEOUT = 180_000;
const DELETED = 4_500;
const toDrop: string[] = [];
let dir: string;
let workDir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-preview-cap-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-preview-cap-work-"));
});

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(workDir, { recursive: true, force: true });
});

test(
  "the preview keeps the first ids and the count; the copy-back inserts every confirmed row, and refuses a changed list",
  async () => {
    const conn = await createFixtureDatabase("preview_cap");
    toDrop.push(conn.database);
    const before = await countsOf(conn);
    const storage = createStorage({ kind: "local", path: dir, prefix: "" });
    const key = `${conn.database}/backup.dump`;
    const made = await createBackup({ conn, storage, key, format: "custom" });
    await runPsqlQuery(conn, `DELETE FROM transactions WHERE id BETWEEN 1001 AND ${1000 + DELETED}`);

    const plan = planFor({
      scenarioId: "accidental-deletion",
      target: { name: conn.database, environment: "production", conn, migrationHead: DEFAULT_HEAD_SOURCE },
      backup: { storage, key, size: made.size, format: "custom", manifest: made.manifest, locationName: "test folder" },
      now: new Date(),
      table: "transactions",
      idColumn: "id",
      ids: { from: 1, to: 20_000 },
      options: { workDir },
    });
    toDrop.push((plan.summary as { scratchDatabase: string }).scratchDatabase);
    const run = await executePlan(plan, { until: "copy-back" });
    if (run.failed) throw run.failed.error;

    const stored = previewResultSchema.parse(run.results["preview-rows"]);
    expect(stored.missing).toBe(DELETED);
    expect(stored.ids).toHaveLength(PREVIEW_IDS_KEPT);
    expect(stored.ids.slice(0, 3)).toEqual(["1001", "1002", "1003"]);
    expect(stored.idsSha256).toMatch(/^[0-9a-f]{64}$/);
    // What the run page receives on each poll stays small whatever the deletion's size.
    expect(JSON.stringify(run.results["preview-rows"]).length).toBeLessThan(12_000);

    // Someone (or something) changes the list between the preview and the copy-back: refused.
    const runDir = fs.readdirSync(workDir).find((n) => n.startsWith("lifeboat-restore-"));
    const file = path.join(workDir, runDir ?? "?", "preview-ids.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const whole = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, JSON.stringify([...(JSON.parse(whole) as string[]).slice(0, -1), "1"]));
    const refused = await executePlan(plan, { results: run.results, only: (k) => k === "copy-back" });
    expect(refused.failed?.error.message).toMatch(
      /previewed ids .* is not the one the preview wrote, so nothing was copied/,
    );
    expect((await countsOf(conn))["public.transactions"]).toBe(20_000 - DELETED);

    fs.writeFileSync(file, whole);
    const copied = await executePlan(plan, { results: run.results, only: (k) => k === "copy-back" });
    if (copied.failed) throw copied.failed.error;
    expect(copied.results["copy-back"]).toMatchObject({ previewed: DELETED, inserted: DELETED, skipped: 0 });
    expect(await countsOf(conn)).toEqual(before);
  },
  TIMEOUT,
);
