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
  await confirm.getByLabel("Target database name").fill("amani");
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
  // amani is production: the operator's confirmation is refused, an approver's goes through.
  await expect(waiting.getByRole("button", { name: "Confirm and continue" })).toBeDisabled();
  await expect(waiting.getByTestId("needs-approver")).toHaveText(
    "Copying rows back into production needs an approver: ask one to confirm this step.",
  );
  const approver = await browser.newContext({ storageState: storageStatePath("approver") });
  const approverPage = await approver.newPage();
  await approverPage.goto(page.url());
  await approverPage.getByRole("button", { name: "Confirm and continue" }).click();
  await expect(page.getByTestId("run-status")).toContainText("Succeeded", { timeout: 120_000 });
  await approver.close();
  await expect(page.getByTestId("run-verdict")).toContainText("151 rows");

  expect(Number(await psql("SELECT count(*) FROM transactions"))).toBe(before);
  expect(await psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'amani_lifeboat_%'")).toBe("0");
});
