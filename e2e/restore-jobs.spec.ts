import { expect, test } from "./fixtures";
import { screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// The database setting "Restore jobs": refused outside 1–8 with a message under the field, and a
// saved number is what the next plan's restore step runs (--jobs=N), shown in the plan.
test.use({ storageState: storageStatePath("admin") });

test("Restore jobs: 9 is refused under the field; 3 is saved and the next plan restores with --jobs=3", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto("/settings/databases");
  await page.locator("section", { hasText: "amani-production" }).getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: "Edit amani-production" });
  const jobs = form.getByLabel("Restore jobs");
  try {
    await jobs.fill("9");
    await form.getByRole("button", { name: /Save/ }).click();
    // Under the field itself (the form's summary above repeats it).
    await expect(form.locator("span", { hasText: "Restore jobs must be a whole number from 1 to 8" })).toBeVisible();
    await expect(jobs).toHaveAttribute("aria-invalid", "true");
    await jobs.scrollIntoViewIfNeeded();
    await screenshotBoth(page, "restore-jobs-refused");
    await jobs.fill("3");
    await form.getByRole("button", { name: /Save/ }).click();
    await expect(page.getByTestId("databases-message")).toContainText("Saved amani-production");

    await page.goto("/backups");
    await page.getByRole("button", { name: "Sync all now" }).click();
    await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });
    await page.goto("/restores/new?scenario=database-corruption");
    await page.getByTestId("target-amani-production").click();
    await expect(page.locator('input[name="backupId"]:checked')).toHaveCount(1);
    // A custom-format backup (plain SQL always restores as one stream).
    await page.locator("label", { hasText: ".dump" }).first().locator('input[name="backupId"]').check();
    await page.getByRole("button", { name: "Preflight and plan" }).click();
    await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 60_000 });
    const restore = page.getByTestId("step-restore-scratch");
    await expect(restore).toContainText("--jobs=3");
    await expect(restore).toContainText("with 3 parallel jobs");
    await restore.scrollIntoViewIfNeeded();
    await screenshotBoth(page, "restore-jobs-plan");
  } finally {
    await page.goto("/settings/databases");
    await page.locator("section", { hasText: "amani-production" }).getByRole("button", { name: "Edit" }).click();
    await page.getByRole("form", { name: "Edit amani-production" }).getByLabel("Restore jobs").fill("");
    await page.getByRole("form", { name: "Edit amani-production" }).getByRole("button", { name: /Save/ }).click();
    await expect(page.getByTestId("databases-message")).toContainText("Saved amani-production");
  }
});
