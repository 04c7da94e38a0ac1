import fs from "node:fs";
import path from "node:path";
import { expect, test } from "./fixtures";
import { createPrismaClient } from "../prisma/client";
import { stamp } from "../tests/support/s3";
import { fixtureDumps, testPg } from "./backup-data";
import { syncLocation } from "./helpers";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// The guide's order on a staging database of this spec's own, from the screen: take a
// pre-migration backup, watch its run, clean up old backups (preview, then confirm the deletion),
// and find the new backup's checklist proven item by item. Arranged through Lifeboat's database
// only where the screen has no way: the location holding 40 older dumps made outside Lifeboat, and
// their verified state (which verification tests prove).
test.use({ storageState: storageStatePath("admin") });

const DAY = 86_400_000;
const dataDir = process.env.E2E_DATA_DIR!;
const folder = path.join(dataDir, "backups", `checklist-e2e-${Date.now()}`);
const LOCATION = "checklist-e2e";
const DATABASE = "checklist-staging";
const dbName = `checklist_e2e_${Date.now()}`;
// Half a day off the time of day, so no older backup sits on a retention boundary.
const anchor = Math.floor((Date.now() - 12 * 3600_000) / 1000) * 1000;
const keyOf = (daysAgo: number) => `checklist_backup_${stamp(new Date(anchor - daysAgo * DAY))}.dump`;

function prisma() {
  return createPrismaClient(`file:${path.join(dataDir, "lifeboat.db")}`);
}

// What this spec adds leaves the catalog again: its objects go and a sync marks them vanished.
test.afterAll(async ({ browser }) => {
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const page = await browser.newPage({ storageState: storageStatePath("admin") });
  await syncLocation(page, LOCATION);
  await page.close();
});

test("a pre-migration backup of a staging database from the screen, its run watched, old backups cleaned up, its checklist all ticked", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const pg = testPg();
  const { custom } = await fixtureDumps(dbName);
  fs.mkdirSync(folder, { recursive: true });
  for (let d = 1; d <= 40; d++) fs.writeFileSync(path.join(folder, keyOf(d)), custom);
  const client = prisma();
  try {
    await client.location.create({
      data: { name: LOCATION, kind: "local", config: JSON.stringify({ path: folder, prefix: "" }), secrets: null },
    });
  } finally {
    await client.$disconnect();
  }

  // The database, as an admin adds it, its older backups in the location.
  await page.goto("/settings/databases");
  await page.getByRole("button", { name: "Add a database" }).click();
  const dbForm = page.getByRole("form", { name: "Add a database" });
  await dbForm.getByLabel("Name in Lifeboat").fill(DATABASE);
  await dbForm.getByLabel("Environment").selectOption("staging");
  await dbForm.getByLabel("Host").fill(pg.host);
  await dbForm.getByLabel("Port").fill(String(pg.port));
  await dbForm.getByLabel("Database name").fill(dbName);
  await dbForm.getByLabel("User").fill(pg.user);
  await dbForm.getByLabel("Password").fill(pg.password);
  await dbForm.getByLabel("TLS mode").selectOption("disable");
  await dbForm.getByRole("button", { name: "Add a location" }).click();
  await dbForm.getByLabel("Location").selectOption({ label: LOCATION });
  await dbForm.getByLabel("Key patterns").fill("checklist_backup_*");
  await dbForm.getByRole("button", { name: "Add database" }).click();
  await expect(page.getByTestId("databases-message")).toContainText(`Added ${DATABASE}`);
  await syncLocation(page, LOCATION);
  const db2 = prisma();
  let databaseId: string;
  try {
    const database = await db2.database.findUniqueOrThrow({ where: { name: DATABASE } });
    databaseId = database.id;
    const n = await db2.backup.updateMany({ where: { databaseId }, data: { verificationState: "verified" } });
    expect(n.count).toBe(40);
  } finally {
    await db2.$disconnect();
  }

  // 1. Back up now, labelled pre-migration.
  await page.goto(`/databases/${databaseId}`);
  const form = page.getByRole("form", { name: `Back up ${DATABASE} now` });
  await form.getByTestId("backup-label").selectOption("pre-migration");
  await form.getByRole("button", { name: "Back up now" }).click();

  // 2. Its run: the step, the status until it succeeds, the log.
  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 15_000 });
  await expect(page.getByRole("heading", { name: `Backup of ${DATABASE}` })).toBeVisible();
  const key = (await page.getByTestId("run-backup-key").textContent())?.trim() ?? "";
  expect(key).toMatch(new RegExp(`^lifeboat/${DATABASE}/${DATABASE}_pre_migration_\\d{8}_\\d{6}\\.dump$`));
  await expect(page.getByTestId("step-backup")).toContainText(`Back up ${DATABASE} to ${LOCATION}`);
  await expect(page.getByTestId("run-status")).toHaveText(/Starting|Running|Succeeded/);
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("run-verdict")).toContainText("labelled pre-migration");
  const log = page.getByTestId("run-log");
  await expect(log).toContainText("Started by admin@e2e.test (Back up now), labelled pre-migration.");
  await expect(log).toContainText(new RegExp(`Stored .+ in ${LOCATION}: .+, sha256 [0-9a-f]{64}`));
  await screenshotBoth(page, "checklist-backup-run");
  await expectFitsPhone(page, "checklist-backup-run");
  await page.setViewportSize({ width: 1280, height: 800 });

  // 3. Old backups cleaned up: the location opts in to deleting backups made outside Lifeboat,
  // the preview lists what goes (never the new pre-migration backup), the count is confirmed.
  await page.goto(`/backups/retention/${databaseId}`);
  await expect(page.getByTestId("retention-verdict")).toHaveAttribute("data-verdict", "safe");
  await page.getByTestId(`foreign-toggle-${LOCATION}`).click();
  await expect(page.getByText(`Retention may now delete objects in ${LOCATION}`)).toBeVisible();
  const rows = page.getByTestId("delete-row");
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThan(3);
  await expect(page.getByTestId("retention-delete-table")).not.toContainText(key);
  await expect(page.getByTestId("retention-kept-table")).toContainText(key);
  await page.getByTestId("retention-typed-count").fill(String(count));
  await page.getByTestId("retention-delete").click();
  await expect(page.getByTestId("retention-feedback")).toContainText(`Deleted ${count} backups`);
  expect(fs.readdirSync(folder).filter((f) => f.startsWith("checklist_backup_"))).toHaveLength(40 - count);
  expect(fs.existsSync(path.join(folder, key))).toBe(true);

  // 4. The new backup's page: all seven items ticked, each with its evidence.
  await page.goto("/backups");
  await page.getByRole("link", { name: key }).click();
  await expect(page.getByTestId("backup-label")).toContainText("pre-migration");
  const checklist = page.getByTestId("backup-checklist");
  await expect(checklist.locator("li")).toHaveCount(7);
  await expect(checklist.locator('li[data-ok="true"]')).toHaveCount(7);
  await expect(page.getByTestId("checklist-summary")).toHaveText(
    "7 of 7 proven: this backup meets the guide's checklist.",
  );
  await expect(page.getByTestId("check-created")).toContainText("Made by Lifeboat's backup run (succeeded");
  await expect(page.getByTestId("check-compressed")).toContainText("pg_dump custom format");
  await expect(page.getByTestId("check-size")).toContainText(/bytes, within the usual range of the previous \d+\./);
  await expect(page.getByTestId("check-uploaded")).toContainText(
    new RegExp(`Read back from ${LOCATION} .+ bytes, sha256 [0-9a-f]{12}…, equal to the signed manifest\\.`),
  );
  await expect(page.getByTestId("check-cleaned_up")).toContainText(`Retention of ${DATABASE} ran`);
  await expect(page.getByTestId("check-cleaned_up")).toContainText(`and deleted ${count} old backups.`);
  await expect(page.getByTestId("check-integrity")).toContainText("Verification passed");
  await expect(page.getByTestId("check-documented")).toContainText("The backup run's log records every step");
  await expect(checklist).not.toContainText("What to do");
  await checklist.scrollIntoViewIfNeeded();
  await screenshotBoth(page, "checklist-all-ticked");
  await expectFitsPhone(page, "checklist-all-ticked");
});
