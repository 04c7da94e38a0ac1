import { expect, test } from "./fixtures";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";
import { removeBackupsLifeboatTook } from "./backup-cleanup";

test.use({ storageState: storageStatePath("operator") });

// What these backups add to the demo's location is removed again for the specs after this one.
test.afterEach(async ({ page }) => removeBackupsLifeboatTook(page));

test("an operator takes a pre-migration backup from the database page, watches it run, and finds it in Backups", async ({
  page,
}) => {
  await page.goto("/");
  await page.getByTestId("freshness-amani-production").getByRole("link", { name: "amani-production" }).click();
  await expect(page).toHaveURL(/\/databases\/[a-z0-9]+$/);
  const databaseUrl = page.url();

  const form = page.getByRole("form", { name: "Back up amani-production now" });
  await expect(form).toBeVisible();
  // Manual unless chosen; an operator sees the schedule but cannot edit it.
  await expect(form.getByTestId("backup-label")).toHaveValue("manual");
  await expect(page.getByTestId("schedule")).toBeVisible();
  await expect(page.getByRole("button", { name: /schedule/ })).toHaveCount(0);
  await screenshotBoth(page, "backup-now-database-page");
  await expectFitsPhone(page, "backup-now-database-page");
  await page.setViewportSize({ width: 1280, height: 800 });

  await form.getByTestId("backup-label").selectOption("pre-migration");
  await form.getByRole("button", { name: "Back up now" }).click();

  // The run page: a backup, not a restore.
  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 15_000 });
  await expect(page.getByRole("heading", { name: "Backup of amani-production" })).toBeVisible();
  const key = (await page.getByTestId("run-backup-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^lifeboat\/amani-production\/amani-production_pre_migration_\d{8}_\d{6}\.dump$/);
  const step = page.getByTestId("step-backup");
  await expect(step).toContainText("Back up amani-production to demo-local");
  await expect(page.getByTestId("run-status")).toHaveText(/Starting|Running|Succeeded/);
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("run-verdict")).toContainText(`as ${key}`);
  await expect(page.getByTestId("run-verdict")).toContainText("labelled pre-migration");
  const log = page.getByTestId("run-log");
  await expect(log).toContainText("Started by operator@e2e.test (Back up now), labelled pre-migration.");
  await expect(log).toContainText(/Stored .+ in demo-local: .+, sha256 [0-9a-f]{64}/);
  // No restore wording on a backup's page.
  await expect(page.getByText("RTO")).toHaveCount(0);
  await expect(page.getByText("scratch database")).toHaveCount(0);
  await screenshotBoth(page, "backup-now-run");
  await expectFitsPhone(page, "backup-now-run");
  await page.setViewportSize({ width: 1280, height: 800 });

  // In Backups at once (catalogued by the run, no sync needed), with its label.
  await page.goto("/backups");
  const link = page.getByRole("link", { name: key });
  await expect(link).toBeVisible();
  await expect(page.locator("tr", { has: link })).toContainText("pre-migration");
  await link.click();
  await expect(page.getByTestId("backup-label")).toContainText("pre-migration");
  await screenshotBoth(page, "backup-now-backup-page");

  // The database page lists the run.
  await page.goto(databaseUrl);
  await expect(page.getByTestId("backup-runs")).toContainText("labelled pre-migration");
});
