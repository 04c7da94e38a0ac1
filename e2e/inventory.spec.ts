import fs from "node:fs";
import { expect, test } from "./fixtures";
import { stamp, testS3 } from "../tests/support/s3";
import { fixtureDumps, testPg } from "./backup-data";
import { screenshotBoth } from "./screens";
import { addS3Location, E2E_S3_SECRET } from "./helpers";
import { storageStatePath } from "./users";

test.use({ storageState: storageStatePath("admin") });

const DAY = 86_400_000;
const bucket = `e2e-inventory-${Date.now()}`;
const dbName = `amani_e2e_${Date.now()}`;
// Backups half a day off the current time of day: no backup is in the future, and none is within
// the test's duration of a retention boundary (which counting at 02:00 UTC would be).
const anchor = Math.floor((Date.now() - 12 * 3600_000) / 1000) * 1000;
const takenAt = (daysAgo: number) => new Date(anchor - daysAgo * DAY);

/** How many of the 120 daily backups the weekly class holds: Sundays within 91 days that are not 1sts of a month. */
function expectedWeekly(now: Date): number {
  let n = 0;
  for (let d = 0; d < 120; d++) {
    const t = takenAt(d);
    const age = now.getTime() - t.getTime();
    if (t.getUTCDay() === 0 && t.getUTCDate() !== 1 && age <= 91 * DAY) n++;
  }
  return n;
}

test.describe.configure({ mode: "serial" });

test("an admin adds an S3 location, syncs, filters to weekly backups of one database, opens one and verifies it", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const s3 = testS3();
  const pg = testPg();
  const { plainGz } = await fixtureDumps(dbName);
  await s3.createBucket(bucket);
  await s3.putMany(
    bucket,
    Array.from({ length: 120 }, (_, d) => ({ key: `nightly/amani_backup_${stamp(takenAt(d))}.sql.gz`, body: plainGz })),
  );
  await s3.put(bucket, `nightly/other_backup_${stamp(takenAt(3))}.sql.gz`, plainGz);

  // 1. The location, tested before it is saved.
  const form = await addS3Location(page, "e2e-s3", bucket, "nightly/");
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(form.getByTestId("location-form-result")).toContainText("Connected to s3://");
  await form.getByRole("button", { name: "Add location" }).click();
  await expect(page.getByTestId("locations-message")).toContainText("Added e2e-s3");
  await expect(page.getByTestId("location-e2e-s3")).toContainText("secretAccessKey stored");

  // 2. The database whose backups those are.
  await page.goto("/settings/databases");
  await page.getByRole("button", { name: "Add a database" }).click();
  const dbForm = page.getByRole("form", { name: "Add a database" });
  await dbForm.getByLabel("Name in Lifeboat").fill("amani-e2e");
  await dbForm.getByLabel("Environment").selectOption("staging");
  await dbForm.getByLabel("Host").fill(pg.host);
  await dbForm.getByLabel("Port").fill(String(pg.port));
  await dbForm.getByLabel("Database name").fill(dbName);
  await dbForm.getByLabel("User").fill(pg.user);
  await dbForm.getByLabel("Password").fill(pg.password);
  await dbForm.getByLabel("TLS mode").selectOption("disable");
  await dbForm.getByRole("button", { name: "Add a location" }).click();
  await dbForm.getByLabel("Location").selectOption({ label: "e2e-s3" });
  await dbForm.getByLabel("Key patterns").fill("amani_backup_*");
  await dbForm.getByRole("button", { name: "Add database" }).click();
  await expect(page.getByTestId("databases-message")).toContainText("Added amani-e2e");
  await page.locator("section", { hasText: "amani-e2e" }).getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("databases-message")).toContainText(/connected in \d+ ms, PostgreSQL 15/);

  // 3. Sync, with live status.
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-e2e-s3")).toContainText("121 objects", { timeout: 30_000 });

  // 4. Filter: this location's backups, then the weekly ones of amani-e2e.
  const filters = page.getByRole("form", { name: "Filter backups" });
  await filters.getByLabel("Location").selectOption({ label: "e2e-s3" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  // other_backup_* matches no database's patterns: listed apart, behind the unassigned link.
  await expect(page.getByTestId("backup-totals")).toContainText("120 backups");
  await expect(page.getByTestId("unassigned-link")).toHaveText("1 unassigned object matches no database");
  await filters.getByLabel("Database").selectOption({ label: "amani-e2e (staging)" });
  await filters.getByLabel("Retention class").selectOption("weekly");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  const weekly = expectedWeekly(new Date());
  await expect(page.getByTestId("backup-totals")).toContainText(`${weekly} backups`);
  const rows = page.getByTestId("backups-table").locator("tbody tr");
  await expect(rows).toHaveCount(weekly);
  for (const text of await rows.allInnerTexts()) {
    expect(text).toContain("weekly");
    expect(text).toContain("amani-e2e");
  }
  await screenshotBoth(page, "backups");

  // 5. Open one and verify it.
  await rows.first().getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Backup", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("verify-summary")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("verify-result")).toContainText("passed");
  await expect(page.getByTestId("verification-history")).toContainText("passed");
  await screenshotBoth(page, "backup-detail");

  // 6. The secret never reaches the browser.
  for (const url of ["/settings/locations", "/backups", "/api/locations"]) {
    const body = await (await page.request.get(url)).text();
    expect(body, url).not.toContain(E2E_S3_SECRET);
  }
});

test("the dashboard shows each database's freshness against its RPO and the days without a backup", async ({
  page,
}) => {
  await page.goto("/");
  const row = page.getByTestId("freshness-amani-e2e");
  await expect(row).toBeVisible();
  await expect(row.getByTestId("freshness-state")).toContainText(/ok|warning|breached/);
  await expect(row).toContainText("RPO 24 h");
  await expect(row.getByTestId("missing-days")).toBeVisible();
  await screenshotBoth(page, "dashboard-freshness");
});

test("after all that, credentials never appear in HTML, API responses or the server's log", async ({ page }) => {
  const pg = testPg();
  const secrets = [pg.password, E2E_S3_SECRET];
  const urls = [
    "/",
    "/backups",
    "/settings/locations",
    "/settings/databases",
    "/audit",
    "/api/locations",
    "/api/backups",
    "/api/users",
    "/api/health",
  ];
  for (const url of urls) {
    const body = await (await page.request.get(url)).text();
    for (const secret of secrets) expect(body, `${url} must not contain a credential`).not.toContain(secret);
  }
  const log = fs.readFileSync("test-results/e2e-server.log", "utf8");
  expect(log.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(log).not.toContain(secret);
});
