import fs from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { expect, test } from "./fixtures";
import { screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// Accidental deletion on the e2e server's sandbox PostgreSQL (the demo's `amani`): delete rows,
// then let the wizard copy exactly those back from a backup.
test.use({ storageState: storageStatePath("operator") });

function sandbox() {
  const dir = process.env.E2E_DATA_DIR!;
  const port = fs.readFileSync(path.join(dir, "pg/data/postmaster.pid"), "utf8").split("\n")[3]!.trim();
  const password = /^DEMO_PG_PASSWORD=(.*)$/m.exec(fs.readFileSync(path.join(dir, "secrets.env"), "utf8"))![1]!;
  return async (sql: string) =>
    (
      await execa(
        "psql",
        [
          "-X",
          "-A",
          "-t",
          "-v",
          "ON_ERROR_STOP=1",
          "-h",
          "127.0.0.1",
          "-p",
          port,
          "-U",
          "lifeboat",
          "-d",
          "amani",
          "-c",
          sql,
        ],
        { env: { PGPASSWORD: password } },
      )
    ).stdout.trim();
}

test("accidental deletion: preview the missing rows, confirm, copy exactly those back", async ({ page, browser }) => {
  test.setTimeout(240_000);
  const psql = sandbox();
  const before = Number(await psql("SELECT count(*) FROM transactions"));
  expect(await psql("DELETE FROM transactions WHERE id BETWEEN 100 AND 250")).toBe("DELETE 151");

  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });

  await page.goto("/restores/new?scenario=accidental-deletion");
  await page.getByTestId("target-amani-production").click();
  // Bad inputs are refused when the plan is made, naming the problem; nothing is created.
  await page.getByLabel("Table (schema.table)").fill('"SomeTable"');
  await page.getByLabel(/^Ids:/).fill("100-250");
  await page.getByRole("button", { name: "Preflight and plan" }).click();
  await expect(page.getByText(/has no table "SomeTable"/)).toBeVisible({ timeout: 30_000 });
  await page.getByLabel("Table (schema.table)").fill('public."transactions"');
  await page.getByLabel(/^Ids:/).fill("1); DROP TABLE users; --");
  await page.getByRole("button", { name: "Preflight and plan" }).click();
  await expect(page.getByText(/"1\)" is not an id/)).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(/\/restores\/new/);

  await page.getByLabel("Table (schema.table)").fill("public.transactions");
  await page.getByLabel(/^Ids:/).fill("100-250");
  await page.getByRole("button", { name: "Preflight and plan" }).click();
  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 60_000 });
  await expect(page.getByTestId("step-copy-back")).toBeVisible();

  const confirm = page.getByRole("form", { name: "Confirm the restore" });
  await confirm.getByLabel("Lifeboat name/database name").fill("amani-production/amani");
  await confirm.getByRole("button", { name: "Start the restore" }).click();

  const preview = page.getByTestId("step-preview-rows");
  await expect(preview).toContainText("succeeded", { timeout: 120_000 });
  await expect(page.getByTestId("run-log")).toContainText("151");
  // What the confirmation will copy back is shown where it is confirmed: the count and the first rows.
  const rows = page.getByTestId("row-preview");
  await expect(rows).toContainText("151 rows of public.transactions will be copied back", { timeout: 10_000 });
  await expect(rows.locator("tbody tr")).toHaveCount(10);
  await expect(rows.locator("tbody tr").first()).toContainText("100");
  await screenshotBoth(page, "restore-deletion-preview");
  const waiting = page
    .locator('[data-testid^="step-"]')
    .filter({ has: page.getByRole("button", { name: "Confirm and continue" }) });
  // amani is production, under the two-person rule: the copy-back waits for an approval. Here no
  // approver answers, and an admin breaks the glass with a written reason (audited, on the dashboard).
  await expect(waiting.getByRole("button", { name: "Confirm and continue" })).toBeDisabled();
  await expect(waiting.getByTestId("needs-approver")).toHaveText("Confirming needs the approval above first.");
  await expect(waiting.getByTestId("break-glass")).toHaveCount(0);
  const admin = await browser.newContext({ storageState: storageStatePath("admin") });
  const adminPage = await admin.newPage();
  await adminPage.goto(page.url());
  const glass = adminPage.getByTestId("break-glass");
  await glass.getByText("Break glass (emergency, admins only)…").click();
  await glass.getByLabel(/Why no second person can approve/).fill("e2e: no approver on call, customer data missing");
  await screenshotBoth(adminPage, "approval-break-glass-form");
  await glass.getByRole("button", { name: "Break glass" }).click();
  await expect(adminPage.getByTestId("approval-run.copy-back").getByTestId("approval-headline")).toHaveText(
    "Break glass: approved without a second person",
  );
  await expect(waiting.getByRole("button", { name: "Confirm and continue" })).toBeEnabled({ timeout: 5_000 });
  await waiting.getByRole("button", { name: "Confirm and continue" }).click();
  await expect(page.getByTestId("run-status")).toContainText("Succeeded", { timeout: 120_000 });
  await expect(page.getByTestId("run-log")).toContainText("BREAK GLASS: admin@e2e.test overrode the two-person rule");
  await adminPage.goto("/");
  const banner = adminPage.getByTestId("break-glass-banner");
  await expect(banner).toContainText("no approver on call, customer data missing");
  await expect(banner).toContainText("Copy-back into amani-production");
  await screenshotBoth(adminPage, "approval-break-glass-dashboard");
  await admin.close();
  await expect(page.getByTestId("run-verdict")).toContainText("151 rows");

  expect(Number(await psql("SELECT count(*) FROM transactions"))).toBe(before);
  expect(await psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'amani_lifeboat_%'")).toBe("0");
});
