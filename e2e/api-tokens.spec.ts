import { expect, test } from "./fixtures";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";
import { removeBackupsLifeboatTook } from "./backup-cleanup";

test.use({ storageState: storageStatePath("admin") });

// What these backups add to the demo's location is removed again for the specs after this one.
test.afterEach(async ({ page }) => removeBackupsLifeboatTook(page));

test("an admin schedules a database's backups and sees the next run", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("freshness-amani-staging").getByRole("link", { name: "amani-staging" }).click();
  await expect(page).toHaveURL(/\/databases\/[a-z0-9]+$/);
  await page.getByRole("button", { name: "Add a schedule" }).click();
  const form = page.getByRole("form", { name: "Schedule" });
  await form.getByLabel("When (cron, UTC)").fill("0 2 * *");
  await form.getByRole("button", { name: "Save the schedule" }).click();
  await expect(form).toContainText("A schedule has five fields");
  await form.getByLabel("When (cron, UTC)").fill("30 3 * * *");
  await form.getByRole("button", { name: "Save the schedule" }).click();
  await expect(page.getByTestId("schedule-feedback")).toContainText("Schedule saved.");
  await expect(page.getByTestId("schedule")).toContainText("30 3 * * *");
  await expect(page.getByTestId("schedule-next-run")).toContainText(/03:30 UTC/);
  await screenshotBoth(page, "schedule-database-page");
  await expectFitsPhone(page, "schedule-database-page");
});

test("an admin issues a token shown once; a pipeline backs up with it, and not after it is revoked", async ({
  page,
  request,
}) => {
  await page.goto("/settings/api-tokens");
  await page.getByLabel("Name").fill("deploy pipeline");
  await page.getByRole("button", { name: "Issue the token" }).click();
  await expect(page.getByTestId("token-feedback")).toContainText("Choose the databases this token may back up");
  await page.getByLabel("amani-production").check();
  await page.getByRole("button", { name: "Issue the token" }).click();
  const issued = page.getByTestId("issued-token");
  await expect(issued).toContainText("shown this once");
  const token = (await issued.locator("code").textContent())?.trim() ?? "";
  expect(token).toMatch(/^lbt_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId("tokens")).toContainText("May back up: amani-production");
  await screenshotBoth(page, "api-tokens");
  await expectFitsPhone(page, "api-tokens");

  const post = (name: string, t: string) =>
    request.post(`/api/v1/databases/${name}/backups`, {
      headers: { authorization: `Bearer ${t}` },
      data: { label: "pre-migration", wait: true, timeoutSeconds: 120 },
    });
  const ok = await post("amani-production", token);
  expect(ok.status()).toBe(201);
  const body = (await ok.json()) as { key: string; sha256: string; size: number };
  expect(body.key).toMatch(/_pre_migration_\d{8}_\d{6}\.dump$/);
  expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect((await post("amani-staging", token)).status()).toBe(403);

  // The token is not shown again after a reload.
  await page.reload();
  await expect(page.getByTestId("issued-token")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(token);
  await expect(page.getByTestId("tokens")).toContainText("last used");
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Revoke" }).first().click();
  await expect(page.getByText(/^Revoked deploy pipeline\.$/)).toBeVisible();
  expect((await post("amani-production", token)).status()).toBe(401);
});
