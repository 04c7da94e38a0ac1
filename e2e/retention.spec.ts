import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures";
import { createPrismaClient } from "../prisma/client";
import { stamp } from "../tests/support/s3";
import { syncLocation } from "./helpers";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// Retention from the screen: the demo's production database is refused for safety (none of its
// backups is verified); a staging database of this spec's own, whose 40 daily backups were made
// outside Lifeboat, keeps them all until an admin opts the location in, then previews and deletes
// exactly what it showed. Arranged through Lifeboat's database only where the screen has no way
// (the rows of a location and a database; the verified state, which verification tests prove).
test.use({ storageState: storageStatePath("admin") });
test.describe.configure({ mode: "serial" });

const DAY = 86_400_000;
const dataDir = process.env.E2E_DATA_DIR!;
const folder = path.join(dataDir, "backups", `retention-e2e-${Date.now()}`);
const LOCATION = "retention-e2e";
const DATABASE = "retention-e2e";
// Half a day off the time of day, so no backup sits on a retention boundary while the test runs.
const anchor = Math.floor((Date.now() - 12 * 3600_000) / 1000) * 1000;
const keyOf = (daysAgo: number) => `rete2e_backup_${stamp(new Date(anchor - daysAgo * DAY))}.sql.gz`;

function prisma() {
  return createPrismaClient(`file:${path.join(dataDir, "lifeboat.db")}`);
}

test("the demo's production database: retention refused for safety, with the reason", async ({ page }) => {
  await syncLocation(page, "demo-local");
  await page.getByRole("link", { name: "Retention" }).click();
  const row = page.getByTestId("retention-overview").getByRole("row", { name: /amani-production/ });
  await expect(row).toContainText("refused for safety");
  await row.getByRole("link", { name: "amani-production" }).click();
  const verdict = page.getByTestId("retention-verdict");
  await expect(verdict).toHaveAttribute("data-verdict", "refused");
  // None of the demo's backups has been verified yet.
  await expect(verdict).toContainText("Only 0 verified backups: at least 3 (the minimum redundancy)");
  await expect(page.getByTestId("retention-delete")).toHaveCount(0);
  await screenshotBoth(page, "retention-refused");
});

test("an operator previews retention and confirms the deletion; exactly the previewed objects go", async ({ page }) => {
  test.setTimeout(120_000);
  fs.mkdirSync(folder, { recursive: true });
  for (let d = 0; d < 40; d++) fs.writeFileSync(path.join(folder, keyOf(d)), `backup ${d}\n`.repeat(50));
  const client = prisma();
  try {
    const location = await client.location.create({
      data: { name: LOCATION, kind: "local", config: JSON.stringify({ path: folder, prefix: "" }), secrets: null },
    });
    const database = await client.database.create({
      data: {
        name: DATABASE,
        environment: "staging",
        host: "127.0.0.1",
        dbName: "rete2e",
        user: "lifeboat",
        sslmode: "disable",
      },
    });
    await client.databaseSource.create({
      data: { databaseId: database.id, locationId: location.id, patterns: "rete2e_backup_*" },
    });
    await syncLocation(page, LOCATION);
    await client.backup.updateMany({ where: { databaseId: database.id }, data: { verificationState: "verified" } });
  } finally {
    await client.$disconnect();
  }

  await page.goto("/backups/retention");
  await page.getByTestId("retention-overview").getByRole("link", { name: DATABASE }).click();
  await expect(page.getByTestId("retention-verdict")).toHaveAttribute("data-verdict", "safe");
  // Made outside Lifeboat: kept until the location opts in.
  await expect(page.getByTestId("retention-nothing")).toBeVisible();
  await expect(page.getByTestId("retention-kept-table")).toContainText("not made by Lifeboat");
  await page.getByTestId(`foreign-toggle-${LOCATION}`).click();
  await expect(page.getByText(`Retention may now delete objects in ${LOCATION}`)).toBeVisible();

  const rows = page.getByTestId("delete-row");
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThan(3);
  const previewed = (await page.getByTestId("retention-delete-table").locator("a.font-mono").allTextContents()).sort();
  expect(previewed).toHaveLength(count);
  await expect(page.getByTestId("retention-delete-table")).toContainText("past retention");
  await screenshotBoth(page, "retention-preview");
  await expectFitsPhone(page, "retention-preview");
  await page.setViewportSize({ width: 1280, height: 800 });

  const button = page.getByTestId("retention-delete");
  await expect(button).toBeDisabled();
  await page.getByTestId("retention-typed-count").fill(String(count - 1));
  await expect(button).toBeDisabled();
  await page.getByTestId("retention-typed-count").fill(String(count));
  await button.click();
  await expect(page.getByTestId("retention-feedback")).toContainText(`Deleted ${count} backups`);
  await expect(page.getByTestId("retention-last-run")).toContainText(`${count} deleted, 0 retained, 0 failed`);
  await expect(page.getByTestId("retention-nothing")).toBeVisible();

  const left = fs.readdirSync(folder);
  expect(left).toHaveLength(40 - count);
  expect(previewed.filter((k) => left.includes(k))).toEqual([]);
  await screenshotBoth(page, "retention-deleted");

  // The audit log names each object.
  await page.goto(`/audit?action=retention.delete`);
  for (const key of previewed) await expect(page.locator("td", { hasText: `"key":"${key}"` }).first()).toBeVisible();
});

test("a kept backup's page shows the guide's checklist with evidence", async ({ page }) => {
  const client = prisma();
  const backup = await client.backup.findFirstOrThrow({ where: { key: keyOf(0) } }).finally(() => client.$disconnect());
  await page.goto(`/backups/${backup.id}`);
  const checklist = page.getByTestId("backup-checklist");
  await expect(checklist.locator("li")).toHaveCount(7);
  await expect(page.getByTestId("check-cleaned_up")).toHaveAttribute("data-ok", "true");
  await expect(page.getByTestId("check-cleaned_up")).toContainText("Retention of retention-e2e ran");
  await expect(page.getByTestId("check-uploaded")).toHaveAttribute("data-ok", "false");
  await expect(page.getByTestId("check-uploaded")).toContainText("What to do: Verify it");
  await screenshotBoth(page, "backup-checklist");
  await expectFitsPhone(page, "backup-checklist");
});
