import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "./fixtures";
import { DESKTOP, expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// Test plans: every database is listed with its plan or "No plan yet — add one"; the plan form
// names each wrong field; a test server that is a production server is refused with the reason.

test.use({ storageState: storageStatePath("admin") });

function database(name: string): { id: string; port: number } {
  const d = new Database(path.join(process.env.E2E_DATA_DIR!, "lifeboat.db"), { readonly: true });
  try {
    return d.prepare(`SELECT id, port FROM "Database" WHERE name = ?`).get(name) as { id: string; port: number };
  } finally {
    d.close();
  }
}

test("an admin sees the plans, gets field errors, and a production test server is refused", async ({ page }) => {
  await page.goto("/tests/plans");
  const staging = page.getByRole("listitem").filter({ hasText: "amani-staging" });
  await expect(staging.getByTestId("no-test-plan")).toContainText("No plan yet — add one");
  await screenshotBoth(page, "test-plans-list");
  await expectFitsPhone(page, "test-plans-list");
  await page.setViewportSize(DESKTOP);

  await staging.getByRole("link", { name: "add one" }).click();
  await expect(page).toHaveURL(/\/tests\/plans\/new\?database=/);
  const form = page.getByRole("form", { name: "Test plan of amani-staging" });
  await form.getByLabel("Host").fill("test-db.internal");
  await form.getByLabel("User", { exact: true }).fill("lifeboat");
  await form.getByLabel("Scratch database prefix").fill("Bad Name");
  await form.getByLabel("SQL").fill("SELECT 1; DROP TABLE users");
  await form.getByTestId("save-plan").click();
  // Under each wrong field (the summary below the form says it too).
  await expect(form.getByLabel("Scratch database prefix")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("Use lower-case letters, digits and underscores").first()).toBeVisible();
  await expect(form.getByLabel("SQL")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText(/Only one statement is allowed/).first()).toBeVisible();
  await screenshotBoth(page, "test-plan-form-errors");
  await expectFitsPhone(page, "test-plan-form-errors");
  await page.setViewportSize(DESKTOP);

  // The sandbox server holds amani-production: refused, nothing saved.
  await form.getByLabel("Scratch database prefix").fill("lifeboat_test_");
  await form.getByLabel("SQL").fill("SELECT count(*) FROM users");
  await form.getByLabel("Host").fill("localhost");
  await form.getByLabel("Port").fill(String(database("amani-production").port));
  await form.getByTestId("save-plan").click();
  await expect(page.getByTestId("plan-feedback")).toContainText(
    "is the production server of amani-production (amani): a monthly test never restores into a production connection",
  );
  await expect(page).toHaveURL(/\/tests\/plans\/new\?database=/);

  // The database page links to its plan.
  await page.goto(`/databases/${database("amani-staging").id}`);
  await expect(page.getByTestId("database-test-plan")).toHaveText("Add a monthly test plan");
});
