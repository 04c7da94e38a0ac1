import { expect, test } from "./fixtures";
import { testS3 } from "../tests/support/s3";
import { addS3Location, syncLocation } from "./helpers";
import { screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

test.use({ storageState: storageStatePath("admin") });

// Backups in dated folders (YYYY/MM/): the README-style pattern matches nothing there, and the
// form must say so while it is typed, offer the pattern that works, and apply it on save.
test("key patterns show their matches while typed, warn on none and apply on save without a sync", async ({ page }) => {
  test.setTimeout(120_000);
  const s3 = testS3();
  const bucket = `e2e-patterns-${Date.now()}`;
  await s3.createBucket(bucket);
  await s3.putMany(bucket, [
    { key: "db/2026/11/shop_backup_20261130_020000.sql.gz", body: "x" },
    { key: "db/2026/12/shop_backup_20261201_020000.sql.gz", body: "x" },
    { key: "db/2026/12/shop_backup_20261202_020000.sql.gz", body: "x" },
    { key: "db/2026/12/other_backup_20261202_020000.sql.gz", body: "x" },
  ]);
  const form = await addS3Location(page, "e2e-dated", bucket, "db/");
  await form.getByRole("button", { name: "Add location" }).click();
  await expect(page.getByTestId("locations-message")).toContainText("Added e2e-dated");
  await syncLocation(page, "e2e-dated");

  await page.goto("/settings/databases");
  const add = page.getByRole("button", { name: "Add a database" });
  if (await add.isVisible()) await add.click();
  const dbForm = page.getByRole("form", { name: "Add a database" });
  await dbForm.getByLabel("Name in Lifeboat").fill("shop-dated");
  await dbForm.getByLabel("Environment").selectOption("staging");
  await dbForm.getByLabel("Host").fill("127.0.0.1");
  await dbForm.getByLabel("Database name").fill("shop");
  await dbForm.getByLabel("User").fill("lifeboat");
  await dbForm.getByLabel("TLS mode").selectOption("disable");
  await dbForm.getByRole("button", { name: "Add a location" }).click();
  await dbForm.getByLabel("Location").selectOption({ label: "e2e-dated" });

  // A pattern that matches nothing: a warning, the keys it missed, and the one that works.
  await dbForm.getByLabel("Key patterns").fill("shop_backup_*");
  const preview = dbForm.getByTestId("pattern-preview");
  await expect(preview.getByTestId("pattern-preview-count")).toContainText(
    "Matches 0 of 4 catalogued backups in e2e-dated",
  );
  await expect(preview.getByTestId("pattern-warning")).toContainText(
    "shop_backup_* matches nothing. The keys sit in folders: **/shop_backup_* matches 3.",
  );
  await dbForm.scrollIntoViewIfNeeded();
  await screenshotBoth(page, "key-patterns-warning");

  // The suggested pattern: its count and first keys, no warning left.
  await preview.getByRole("button", { name: "Use **/shop_backup_*" }).click();
  await expect(dbForm.getByLabel("Key patterns")).toHaveValue("**/shop_backup_*");
  await expect(preview.getByTestId("pattern-preview-count")).toContainText(
    "Matches 3 of 4 catalogued backups in e2e-dated",
  );
  await expect(preview.getByRole("list", { name: "First matching keys" })).toContainText(
    "2026/11/shop_backup_20261130_020000.sql.gz",
  );
  await expect(preview.getByTestId("pattern-warning")).toHaveCount(0);
  await screenshotBoth(page, "key-patterns-count");

  // Saved: the three backups are this database's at once, without another sync.
  await dbForm.getByRole("button", { name: "Add database" }).click();
  await expect(page.getByTestId("databases-message")).toContainText(
    "Added shop-dated. 3 catalogued backups changed database with the new patterns.",
  );
  await page.goto("/backups");
  const filters = page.getByRole("form", { name: "Filter backups" });
  await filters.getByLabel("Database").selectOption({ label: "shop-dated (staging)" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("backup-totals")).toContainText("3 backups");
});
