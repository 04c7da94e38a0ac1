import { expect, test } from "./fixtures";
import { storageStatePath } from "./users";

test.use({ storageState: storageStatePath("operator") });

test("a drill launches a real restore run on the staging database; each run step's measured time lands on the drill step with its key", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });

  await page.goto("/drills");
  const form = page.getByRole("form", { name: "Schedule a drill" });
  await form.getByLabel("Scenario").selectOption("database-corruption");
  await form.getByLabel("Database used").selectOption({ label: "amani-staging (staging)" });
  await form.getByLabel("Date and time (UTC)").fill("2026-12-02T09:00");
  await form.getByRole("button", { name: "Schedule the drill" }).click();
  await expect(page).toHaveURL(/\/drills\/[a-z0-9]+$/);
  const drillUrl = page.url();
  await page.getByRole("button", { name: "Start the drill" }).click();

  const drillStep = (key: string) => page.locator(`[data-testid^="drill-step-"][data-key="${key}"]`);
  await drillStep("preflight").getByRole("link", { name: "Launch the restore run for this step" }).click();
  await expect(page.getByTestId("wizard-target")).toContainText("amani-staging");
  // Restore production's backup into staging, as a drill does.
  await page
    .getByRole("form", { name: "Backups of" })
    .getByLabel("Backups of")
    .selectOption({ label: "amani-production" });
  await page.getByRole("form", { name: "Backups of" }).getByRole("button", { name: "Show" }).click();
  await expect(page.getByTestId("drill-link")).toBeVisible();
  await page.getByRole("button", { name: "Preflight and plan" }).click();
  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 60_000 });

  const confirm = page.getByRole("form", { name: "Confirm the restore" });
  await confirm.getByLabel("Target database name").fill("amani_staging");
  await confirm.getByRole("button", { name: "Start the restore" }).click();
  for (const key of ["confirm-switch-over", "run-migrations", "start-application", "check-health"]) {
    const step = page.getByTestId(`step-${key}`);
    const button = step.getByRole("button", { name: /Confirm and continue|Done — continue/ });
    await expect(button).toBeVisible({ timeout: 120_000 });
    await button.click();
    await expect(step).toContainText("succeeded", { timeout: 15_000 });
  }
  await expect(page.getByTestId("run-status")).toContainText("Succeeded", { timeout: 30_000 });

  await page.goto(drillUrl);
  // Not one step holding the whole run: every step the run did is credited to its own drill step.
  for (const key of [
    "preflight",
    "download",
    "restore-scratch",
    "verify-scratch",
    "switch-over",
    "run-migrations",
    "check-health",
  ]) {
    await expect(drillStep(key)).toContainText("measured by the restore run");
    await expect(drillStep(key)).toContainText("finished");
  }
  // The run's time is spread over its steps; none of them holds the whole run.
  const seconds = (t: string) =>
    t
      .split(":")
      .map(Number)
      .reduce((a, b) => a * 60 + b, 0);
  const total = seconds(await page.getByTestId("drill-total").innerText());
  expect(total).toBeGreaterThan(0);
  await expect(drillStep("preflight")).toContainText("Measured by restore run");
  for (const t of await page.getByTestId("step-time").allInnerTexts())
    expect(seconds(t.replace("< ", ""))).toBeLessThan(Math.max(total, 2));
});
