import { expect, test } from "./fixtures";
import { testS3 } from "../tests/support/s3";
import { addS3Location, syncLocation } from "./helpers";
import { storageStatePath } from "./users";

test.use({ storageState: storageStatePath("admin") });

const bucket = `e2e-hostile-${Date.now()}`;
// s3rver maps keys to file paths, so it resolves "../../etc/passwd" and "./x" itself (which is
// why every driver refuses "." and ".." segments, lib/storage/keys.ts); those keys, absolute
// paths and NUL are covered against the drivers in lib/storage/local.test.ts and the contract suite.
const HOSTILE = [
  "<img src=x onerror=alert(1)>_backup_20260101_020000.sql.gz",
  "ünïcødé/бэкап_backup_20260102_020000.sql.gz",
  // ~900 characters in short segments (s3rver keeps each segment as a file name, max 255 bytes).
  `long/${"segment-"
    .repeat(110)
    .match(/.{1,80}/g)!
    .join("/")}.dump`,
  "quote\"and'apostrophe;rm -rf ~.sql",
  "percent%00encoded%2e%2e.sql",
];

test("hostile object keys neither break the pages nor run script; downloads get a safe file name", async ({ page }) => {
  const s3 = testS3();
  await s3.createBucket(bucket);
  for (const [i, key] of HOSTILE.entries()) await s3.put(bucket, key, `content ${i}`);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  const form = await addS3Location(page, "hostile", bucket);
  await form.getByRole("button", { name: "Add location" }).click();
  await expect(page.getByTestId("locations-message")).toContainText("Added hostile");
  await syncLocation(page, "hostile");

  await page.goto("/backups?q=");
  const filters = page.getByRole("form", { name: "Filter backups" });
  await filters.getByLabel("Location").selectOption({ label: "hostile" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  // No database's key patterns match them: they are listed apart, behind the unassigned link.
  await expect(page.getByTestId("backup-totals")).toContainText("0 backups");
  await page.getByTestId("unassigned-link").click();
  await expect(page.getByTestId("backup-totals")).toContainText(`${HOSTILE.length} backups`);
  const listUrl = page.url();
  const table = page.getByTestId("backups-table");
  for (const key of HOSTILE) await expect(table.getByText(key, { exact: true })).toBeVisible();
  expect(await page.locator("img[src=x]").count()).toBe(0);

  for (const key of HOSTILE) {
    await page.goto(listUrl);
    await page.getByTestId("backups-table").getByRole("link", { name: key, exact: true }).click();
    await expect(page.getByTestId("backup-key")).toHaveText(key);
    const href = await page.getByRole("link", { name: "Download" }).getAttribute("href");
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    const disposition = res.headers()["content-disposition"]!;
    expect(disposition).toMatch(/^attachment; filename="[^"/\\]*"; filename\*=UTF-8''/);
    expect(disposition).not.toContain("/");
    expect(await res.text()).toBe(`content ${HOSTILE.indexOf(key)}`);
  }
  expect(dialogs).toEqual([]);
});
