import { expect, test } from "./fixtures";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// The audit page: an admin verifies the chain, filters the log and exports what the filters
// select; a viewer reads and exports but has no Verify button.

test.describe("as an admin", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("verifies the chain, filters by who and action, and exports the filtered events as CSV", async ({ page }) => {
    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Audit" })).toBeVisible();

    await page.getByRole("button", { name: "Verify chain" }).click();
    const verdict = page.getByTestId("verify-chain-result");
    await expect(verdict).toContainText(/Chain intact: [\d,]+ events checked/);
    await screenshotBoth(page, "audit-verified");

    // The check itself is on the record.
    await page.reload();
    await expect(page.getByRole("cell", { name: "audit.verify_chain" }).first()).toBeVisible();

    await page.getByLabel("Who (e-mail contains)").fill("admin@e2e");
    await page.getByLabel("Action").selectOption("auth.sign_in");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/who=admin%40e2e/);
    const count = page.getByText(/^[\d,]+ matching events?$/);
    await expect(count).toBeVisible();
    const matching = Number((await count.textContent())!.replace(/\D/g, ""));
    const actions = await page.locator("tbody tr td:nth-child(4)").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(["auth.sign_in"]));

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: /Export CSV/ }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^lifeboat-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await (await file.createReadStream()).toArray();
    const lines = Buffer.concat(csv).toString("utf8").trim().split("\r\n");
    expect(lines[0]).toBe("seq,at (UTC),actor,actor id,action,subject type,subject id,detail,hash");
    // Every matching event, not only the page shown.
    expect(lines.length - 1).toBe(matching);
    for (const line of lines.slice(1)) expect(line).toContain(",admin@e2e.test,");

    await page.getByLabel("From (UTC)").fill("2001-01-02");
    await page.getByLabel("To (UTC)").fill("2001-01-01");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "is after the end date" })).toBeVisible();
    await expect(page.getByText("No events match these filters")).toBeVisible();
    await screenshotBoth(page, "audit-no-match");
    await page.getByRole("link", { name: "Clear" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expectFitsPhone(page, "audit");
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStatePath("viewer") });

  test("reads and exports the log, without the admin's Verify button", async ({ page, request }) => {
    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Audit" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Verify chain" })).toHaveCount(0);
    const res = await request.get("/api/audit/csv?action=auth.*");
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^text\/csv/);
  });
});
