import fs from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";

/**
 * Backups the console took during a spec go into the demo's location under lifeboat/. Specs that
 * run later count the demo's backups and expect the demo's suggestions (the newest pre-migration
 * backup…): remove those objects and sync, so the catalog marks them vanished and hides them.
 */
export async function removeBackupsLifeboatTook(page: Page) {
  fs.rmSync(path.join(process.env.E2E_DATA_DIR!, "backups", "lifeboat"), { recursive: true, force: true });
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });
}
