import { expect, test, type Page } from "./fixtures";
import { screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// One definition per scenario: the runbook (and its print view) lists the steps the wizard's
// plan runs, in the same order with the same titles, and both show the database's own
// migration commands.
test.use({ storageState: storageStatePath("admin") });

const UPGRADE = "flyway -configFiles=prod.conf migrate";
const DOWNGRADE = "flyway -configFiles=prod.conf undo";

async function setMigrationCommands(page: Page, upgrade: string, downgrade: string) {
  await page.goto("/settings/databases");
  await page.locator("section", { hasText: "amani-production" }).getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: "Edit amani-production" });
  await form.getByLabel("Upgrade command").fill(upgrade);
  await form.getByLabel("Downgrade command").fill(downgrade);
  await form.getByRole("button", { name: /Save/ }).click();
  await expect(page.getByTestId("databases-message")).toContainText("Saved amani-production");
}

/** [key, title] of each step; the restore's timestamp written as <ts>, as the runbook writes it. */
async function steps(page: Page, selector: string, prefix: string) {
  const items = page.locator(selector);
  const out: [string, string][] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const li = items.nth(i);
    const key = ((await li.getAttribute("data-testid")) ?? "").slice(prefix.length);
    const title = (await li.getByTestId("step-title").first().innerText()).replace(/\d{14}/g, "<ts>");
    out.push([key, title.trim()]);
  }
  return out;
}

test("failed migration: the runbook, its print view and the wizard's plan list the same steps with the database's migration commands", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await setMigrationCommands(page, UPGRADE, DOWNGRADE);
  try {
    await page.goto("/backups");
    await page.getByRole("button", { name: "Sync all now" }).click();
    await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });

    // The wizard's plan.
    await page.goto("/restores/new?scenario=failed-migration");
    await page.getByTestId("target-amani-production").click();
    await expect(page).toHaveURL(/[?&]database=/);
    const databaseId = new URL(page.url()).searchParams.get("database");
    expect(databaseId).toBeTruthy();
    await expect(page.locator('input[name="backupId"]:checked')).toHaveCount(1);
    await page.getByRole("button", { name: "Preflight and plan" }).click();
    await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 60_000 });
    await expect(page.getByTestId("run-status")).toContainText("Planned");
    await expect(page.getByTestId("step-try-downgrade")).toContainText(DOWNGRADE);
    await expect(page.getByTestId("step-run-migrations")).toContainText(UPGRADE);
    await expect(page.getByTestId("step-confirm-switch-over")).toContainText("will be renamed to amani_before_");
    const planned = await steps(page, 'li[data-testid^="step-"]', "step-");
    await screenshotBoth(page, "runbook-plan-wizard-failed-migration");
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Cancel the run" }).click();
    await expect(page.getByTestId("run-status")).toContainText("Cancelled", { timeout: 15_000 });

    // The runbook for the same database: the same steps, titles and commands.
    await page.goto(`/runbooks/failed-migration?database=${databaseId}`);
    await expect(page.getByRole("heading", { name: "Scenario 4: Failed migration" })).toBeVisible();
    await expect(page.getByText("Version 4")).toBeVisible();
    const runbook = await steps(page, 'li[data-testid^="runbook-step-"]', "runbook-step-");
    expect(runbook.length).toBeGreaterThan(10);
    expect(runbook).toEqual(planned);
    await expect(page.getByTestId("runbook-step-try-downgrade")).toContainText(DOWNGRADE);
    await expect(page.getByTestId("runbook-step-run-migrations")).toContainText(UPGRADE);
    expect(runbook.map(([k]) => k).slice(0, 2)).toEqual(["migration-heads", "try-downgrade"]);
    await screenshotBoth(page, "runbook-plan-runbook-failed-migration");
    await page.emulateMedia({ media: "print" });
    await expect(page.getByRole("form", { name: "Names and commands for" })).toBeHidden();
    await page.screenshot({ path: "test-results/screenshots/runbook-plan-print-failed-migration.png", fullPage: true });
    await page.emulateMedia({ media: "screen" });

    // Without a database: placeholders and the default (alembic) commands, the same keys.
    await page.goto("/runbooks/failed-migration");
    const generic = await steps(page, 'li[data-testid^="runbook-step-"]', "runbook-step-");
    expect(generic.map(([k]) => k)).toEqual(planned.map(([k]) => k));
    await expect(page.getByTestId("runbook-step-switch-over")).toContainText("<db>_before_<ts>");
    await expect(page.getByTestId("runbook-step-run-migrations")).toContainText("alembic upgrade head");
  } finally {
    await setMigrationCommands(page, "", "");
  }
});
