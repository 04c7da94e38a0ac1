import { expect, type Page } from "@playwright/test";
import { testS3 } from "../tests/support/s3";

/**
 * s3rver checks the access key id but not the signature, so the e2e locations use a secret of
 * their own that appears nowhere else: a test can then prove it never reaches a page or a log.
 */
export const E2E_S3_SECRET = "e2e-secret-Vq3kP9zLm2Xw7RtY";

/** Adds an S3 location for the test S3 server through Settings → Locations. */
export async function addS3Location(page: Page, name: string, bucket: string, prefix = "") {
  const s3 = testS3();
  await page.goto("/settings/locations");
  const add = page.getByRole("button", { name: "Add a location" });
  if (await add.isVisible()) await add.click();
  const form = page.getByRole("form", { name: "Add a location" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Kind").selectOption("s3");
  await form.getByLabel("Bucket").fill(bucket);
  await form.getByLabel("Region").fill(s3.region);
  await form.getByLabel(/^Endpoint/).fill(s3.endpoint);
  await form.getByLabel(/Path-style/).check();
  await form.getByLabel(/^Access key id/).fill(s3.accessKeyId);
  await form.getByLabel("Secret access key").fill(E2E_S3_SECRET);
  await form.getByLabel(/^Prefix/).fill(prefix);
  return form;
}

/** Clicks "Sync now" for one location on Settings → Locations and waits on the Backups page. */
export async function syncLocation(page: Page, name: string) {
  await page.goto("/settings/locations");
  await page.getByTestId(`location-${name}`).getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByTestId("locations-message")).toContainText(`Sync of ${name} started`);
  await page.goto("/backups");
  await expect(page.getByTestId(`sync-${name}`)).toContainText("✓ ok", { timeout: 30_000 });
}
