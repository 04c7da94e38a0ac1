import path from "node:path";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { expect, test } from "./fixtures";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// A scratch database a monthly test keeps for its plan's hours is on the dashboard beside the
// ones kept from cancelled restores: which database and month, on which test server, until
// when, and a link to the test record. The record is written straight into the console's
// database (a monthly test that keeps its scratch database takes minutes to run); nothing is
// created on a server, so there is nothing to drop afterwards.
test.use({ storageState: storageStatePath("viewer") });

const dataDir = process.env.E2E_DATA_DIR!;
const tag = randomBytes(4).toString("hex");
const testId = `e2e-kept-${tag}`;
const scratch = `lifeboat_test_20261201_${tag}`;

function lifeboatDb() {
  return new Database(path.join(dataDir, "lifeboat.db"), { timeout: 10_000 });
}

test.beforeAll(() => {
  const d = lifeboatDb();
  try {
    const database = d.prepare(`SELECT id FROM "Database" WHERE name = 'amani-production'`).get() as { id: string };
    const iso = (t: number) => new Date(t).toISOString().replace("Z", "+00:00");
    d.prepare(
      `INSERT INTO "BackupTest" ("id", "databaseId", "month", "status", "startedAt", "finishedAt", "rtoMinutes",
         "scratchDatabase", "scratchKeepUntil", "performedBy", "createdBy", "createdAt")
       VALUES (?, ?, '2026-01', 'passed', ?, ?, 60, ?, ?, NULL, 'e2e@lifeboat.test', ?)`,
    ).run(
      testId,
      database.id,
      iso(Date.now() - 3_600_000),
      iso(Date.now() - 3_000_000),
      scratch,
      iso(Date.now() + 5 * 3_600_000),
      iso(Date.now() - 3_600_000),
    );
  } finally {
    d.close();
  }
});

test.afterAll(() => {
  const d = lifeboatDb();
  try {
    d.prepare(`DELETE FROM "BackupTest" WHERE "id" = ?`).run(testId);
  } finally {
    d.close();
  }
});

test("a scratch database kept by a monthly test is on the dashboard: where, until when, its record", async ({
  page,
}) => {
  await page.goto("/");
  const kept = page.getByTestId("kept-test-scratch-databases");
  const item = kept.getByRole("listitem").filter({ hasText: scratch });
  await expect(item).toContainText("kept by the monthly test of amani-production, Jan 2026");
  // The demo's plan reaches the sandbox PostgreSQL through its socket folder.
  await expect(item).toContainText(/on the test server (\/\S+ \(socket, port \d+\)|\S+:\d+)/);
  await expect(item).toContainText(/until .*\(in 4 h|until .*\(in 5 h/);
  await expect(item).toContainText("then dropped automatically");
  await screenshotBoth(page, "dashboard-kept-test-scratch");
  await expectFitsPhone(page, "dashboard-kept-test-scratch");
  await item.getByRole("link", { name: "test record" }).click();
  await expect(page).toHaveURL(new RegExp(`/tests/${testId}$`));
});
