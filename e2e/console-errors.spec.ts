import { expect, test } from "./fixtures";
import { storageStatePath } from "./users";

// Every spec fails on a console error (e2e/fixtures.ts); this one visits every page of the console
// on purpose, twice (a hydration mismatch can depend on timing), and checks the guard itself.
test.use({ storageState: storageStatePath("admin") });

const PAGES = [
  "/",
  "/backups",
  "/restores",
  "/restores/new",
  "/runbooks",
  "/tests",
  "/drills",
  "/settings",
  "/settings/users",
  "/settings/locations",
  "/settings/databases",
  "/settings/contacts",
  "/audit",
];

test("the favicon is served, as .ico and as .svg", async ({ request }) => {
  const ico = await request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect(ico.headers()["content-type"]).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
  const svg = await request.get("/icon.svg");
  expect(svg.status()).toBe(200);
  expect(await svg.text()).toContain("<svg");
});

test("every page loads without a console error or an uncaught error", async ({ page, consoleErrors }) => {
  // 26 page loads, each waiting for the network to settle: about 30 s here, half the default limit.
  test.setTimeout(120_000);
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });
  for (const round of [1, 2]) {
    for (const path of PAGES) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      // Hydration runs after the HTML arrives; give React the time to report a mismatch.
      await page.waitForLoadState("networkidle");
      expect(consoleErrors, `${path} (round ${round})`).toEqual([]);
    }
  }
  await page.getByRole("link", { name: "Backups", exact: true }).filter({ visible: true }).click();
  await page.getByTestId("backups-table").locator("tbody tr").first().getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Backup", exact: true })).toBeVisible();
  await page.waitForLoadState("networkidle");
});

test("the guard catches a console error (so a clean run means something)", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await page.evaluate(() => console.error("planted by the e2e guard test"));
  await expect.poll(() => consoleErrors.length).toBe(1);
  expect(consoleErrors[0]).toContain("planted by the e2e guard test");
  // Emptied, or this test would fail at its end.
  consoleErrors.length = 0;
});
