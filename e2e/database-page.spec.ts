import { expect, test } from "./fixtures";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

test.use({ storageState: storageStatePath("operator") });

test("a database's page charts its backups' size over time with labelled axes, dates, anomalies and a table", async ({
  page,
}) => {
  // The catalog must know the demo backups (other specs may already have synced).
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });

  await page.goto("/");
  await page.getByTestId("freshness-amani-production").getByRole("link", { name: "amani-production" }).click();
  await expect(page).toHaveURL(/\/databases\/[a-z0-9]+$/);
  await expect(page.getByRole("heading", { name: "amani-production" })).toBeVisible();

  const chart = page.getByTestId("backup-size-chart");
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(chart).toContainText("Backup taken (UTC)");
  await expect(chart).toContainText(/Size \((B|KiB|MiB|GiB)\)/);
  await expect(chart).toContainText("Size anomaly");
  // Dates on the time axis, e.g. "3 Aug".
  await expect(
    chart
      .locator(".recharts-cartesian-axis-tick-value")
      .filter({ hasText: /^\d{1,2} [A-Z][a-z]{2,3}( \d{2})?$/ })
      .first(),
  ).toBeVisible();
  // The demo's empty backup is a size anomaly, and it is in the table fallback too.
  await expect(chart).toContainText(/[1-9]\d* size anomal/);
  const table = chart.locator("table");
  await chart.getByRole("button", { name: "Show the numbers as a table" }).click();
  await expect(table).toContainText("0 bytes");
  await chart.getByRole("button", { name: "Hide the numbers" }).click();

  // A tooltip names the backup under the pointer.
  const box = (await chart.locator(".recharts-cartesian-grid").first().boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  await expect(chart.locator(".recharts-tooltip-wrapper")).toContainText("UTC");

  await chart.scrollIntoViewIfNeeded();
  await chart.screenshot({ path: "test-results/screenshots/database-size-chart-desktop.png" });
  await screenshotBoth(page, "database-page");
  // Even with the tooltip still placed for the desktop layout, nothing sticks out of the phone's width.
  await expectFitsPhone(page, "database-page");
  await chart.screenshot({ path: "test-results/screenshots/database-size-chart-phone.png" });
});
