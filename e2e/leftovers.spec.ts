import { expect, test } from "./fixtures";
import { screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// A restore cancelled part-way cleans up after itself: the downloaded backup goes, and the
// scratch database too unless the operator keeps it for inspection; a kept one is listed on the
// dashboard until someone drops it. On the sandbox's staging database (operators confirm it).
test.use({ storageState: storageStatePath("operator") });

test("cancel and clean up: a kept scratch database is listed on the dashboard and dropped from there", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });

  await page.goto("/restores/new");
  await page.getByRole("link", { name: /Database corruption/ }).click();
  await page.getByTestId("target-amani-staging").click();
  // Staging has no backups of its own: production's is restored into it.
  await page.getByRole("combobox", { name: "Backups of" }).selectOption({ label: "amani-production" });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.locator('input[name="backupId"]:checked')).toHaveCount(1);
  await page.getByRole("button", { name: "Preflight and plan" }).click();
  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 60_000 });
  // Nothing ran yet: a plain cancel, nothing to clean up.
  await expect(page.getByTestId("cancel-run")).toHaveText("Cancel the run");

  const confirm = page.getByRole("form", { name: "Confirm the restore" });
  await confirm.getByLabel("Target database name").fill("amani_staging");
  await confirm.getByRole("button", { name: "Start the restore" }).click();
  await expect(page.getByTestId("step-confirm-switch-over")).toContainText("waiting", { timeout: 120_000 });
  const scratch = (await page.getByTestId("step-create-scratch").getByTestId("step-title").innerText())
    .replace("Create the scratch database ", "")
    .trim();
  expect(scratch).toMatch(/^amani_staging_lifeboat_\d{14}$/);

  // The download and the scratch database exist now: cancelling removes them, unless kept.
  await expect(page.getByTestId("cancel-run")).toHaveText("Cancel and clean up");
  await page.getByLabel("keep the scratch database for inspection").check();
  page.once("dialog", (d) => {
    expect(d.message()).toContain("the scratch database is kept for inspection");
    void d.accept();
  });
  await page.getByTestId("cancel-run").click();
  await expect(page.getByTestId("run-status")).toContainText("Cancelled", { timeout: 30_000 });
  await expect(page.getByTestId("run-log")).toContainText("removed the download folder", { timeout: 15_000 });
  await expect(page.getByTestId("run-log")).toContainText(`kept the scratch database ${scratch} for inspection`);
  await screenshotBoth(page, "leftovers-cancelled-run");

  await page.goto("/");
  const kept = page.getByTestId("kept-scratch-databases");
  await expect(kept).toContainText(scratch);
  await screenshotBoth(page, "leftovers-dashboard-kept-scratch");
  page.once("dialog", (d) => void d.accept());
  await kept.locator("li", { hasText: scratch }).getByRole("button", { name: "Drop" }).click();
  await expect(page.getByText(scratch)).toHaveCount(0, { timeout: 15_000 });
});
