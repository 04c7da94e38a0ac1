import { createHash } from "node:crypto";
import { expect, test } from "./fixtures";
import { testS3 } from "../tests/support/s3";
import { addS3Location, syncLocation } from "./helpers";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// A manifest sits in the bucket beside its backup, so whoever can write the backup can write a
// manifest that matches it. The backup's page says whether this console signed the manifest:
// the demo's backups (made by Lifeboat) are signed; one written by hand is "not trusted".
test.use({ storageState: storageStatePath("admin") });

const bucket = `e2e-forged-${Date.now()}`;
const key = "forged_backup_20260101_020000.sql";

test("a forged manifest is shown as not trusted; Lifeboat's own is signed", async ({ page }) => {
  const body = "-- PostgreSQL database dump\nSELECT 1;\n-- PostgreSQL database dump complete\n";
  const s3 = testS3();
  await s3.createBucket(bucket);
  await s3.put(bucket, key, body);
  await s3.put(
    bucket,
    `${key}.manifest.json`,
    JSON.stringify({
      lifeboat: 1,
      sha256: createHash("sha256").update(body).digest("hex"),
      size: Buffer.byteLength(body),
      format: "plain",
      database: "amani",
      serverVersion: "15.18",
      pgDumpVersion: "15.18",
      createdAt: "2031-01-01T02:00:00.000Z",
      migrationHead: "forged-head",
      critical: false,
      tables: [{ schema: "public", name: "users", rows: 424242 }],
    }),
  );
  const form = await addS3Location(page, "forged", bucket);
  await form.getByRole("button", { name: "Add location" }).click();
  await expect(page.getByTestId("locations-message")).toContainText("Added forged");
  await syncLocation(page, "forged");

  await page.goto("/backups?q=");
  const filters = page.getByRole("form", { name: "Filter backups" });
  await filters.getByLabel("Location").selectOption({ label: "forged" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await page.getByTestId("unassigned-link").click();
  await page.getByTestId("backups-table").getByRole("link", { name: key, exact: true }).click();
  const trust = page.getByTestId("manifest-trust");
  await expect(trust).toContainText("⚠ not trusted");
  await expect(trust).toContainText("unsigned manifest — not trusted");
  await screenshotBoth(page, "manifest-not-trusted");
  await expectFitsPhone(page, "manifest-not-trusted");

  // The demo's backups were made by Lifeboat with this console's key.
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });
  await page.goto("/backups?q=amani_backup_");
  await page
    .getByTestId("backups-table")
    .getByRole("link", { name: /^amani_backup_/ })
    .first()
    .click();
  await expect(page.getByTestId("manifest-trust")).toContainText("✓ signed");
  await screenshotBoth(page, "manifest-signed");
});
