import { expect, test } from "./fixtures";
import { storageStatePath } from "./users";

// The e2e server starts from the demo's data (scripts/demo.sh --setup-only): a local location
// with real pg_dump backups over 120 days, one truncated, one empty, one day missing.
test.use({ storageState: storageStatePath("operator") });
test.describe.configure({ mode: "serial" });

test("an operator syncs the demo location and sees every state", async ({ page }) => {
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });
  await expect(page.getByTestId("backup-totals")).toContainText("130 backups");

  await page.goto("/backups?q=pre_migration");
  await expect(page.getByTestId("backup-totals")).toContainText("4 backups");
  await expect(page.getByTestId("backups-table")).toContainText("critical");

  await page.goto("/backups?sort=size&dir=asc");
  await expect(page.getByTestId("backups-table").locator("tbody tr").first()).toContainText("size: 0 bytes");
});

test("verifying the truncated demo backup fails and says why", async ({ page }) => {
  // The 14:00 .sql.gz names are the truncated backup and the empty one.
  await page.goto("/backups?q=_140000.sql.gz");
  await expect(page.getByTestId("backup-totals")).toContainText("2 backups");
  await page
    .getByTestId("backups-table")
    .locator("tbody tr")
    .filter({ hasNotText: "0 bytes" })
    .getByRole("link")
    .first()
    .click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("failed", { timeout: 60_000 });
  await expect(page.getByTestId("verify-summary")).toContainText(/truncated|ends early/i);
  await page.reload();
  await expect(page.getByTestId("verification-history")).toContainText("failed");
  await expect(page.getByText("✗ failed").first()).toBeVisible();
});

test("the dashboard shows the missing day as a red day, and the production database as production", async ({
  page,
}) => {
  await page.goto("/");
  const row = page.getByTestId("freshness-amani-production");
  await expect(row).toContainText("PRODUCTION");
  // Before 02:00 UTC today's backup has not happened yet, so today may be empty too.
  await expect(row.getByTestId("missing-days")).toHaveText(/^(1 day|2 days) without a backup$/);
  await expect(row.getByTestId("freshness-state")).toContainText(/ok|warning/);
});
