import { expect, test } from "./fixtures";
import { addArchivedDatabase, pitrPsql } from "./pitr-setup";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// The database page's WAL archive from the screen: the admin changes the archive's WAL RPO in its
// form, an operator's actions (restore point, Switch WAL now) run against the test services'
// archiving cluster, and the health and the timeline show base backups, the newest recoverable
// moment and the restore point, at desktop and phone width.
test.use({ storageState: storageStatePath("admin") });

const stamp = Date.now();
const NAME = `pitr-health-${stamp}`;
const DB = `pitr_health_${stamp}`;

test("archive health and the recoverable window on the database page", async ({ page }) => {
  test.setTimeout(180_000);
  const databaseId = await addArchivedDatabase(page, { name: NAME, dbName: DB, environment: "staging" });
  await pitrPsql(DB, "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");

  await page.goto(`/databases/${databaseId}`);
  const section = page.locator("#wal-archive");
  await expect(section.getByRole("heading", { name: /WAL archive/ })).toBeVisible();

  // The admin's settings form: the WAL RPO saved, the archive read right away.
  await section.getByText("WAL archive settings").click();
  const form = page.getByTestId("wal-archive-form");
  await form.getByLabel("WAL RPO (minutes)").fill("0");
  await form.getByRole("button", { name: "Save archive settings" }).click();
  await expect(form.getByText("The WAL RPO must be at least 1 minute", { exact: true })).toBeVisible();
  // A config file outside the folders the machine's owner allowed is refused, saying what is allowed.
  const config = form.getByLabel(/pgBackRest config file/);
  const configPath = await config.inputValue();
  await config.fill("/etc/shadow");
  await form.getByLabel("WAL RPO (minutes)").fill("10");
  await form.getByRole("button", { name: "Save archive settings" }).click();
  await expect(
    form.getByText(
      /^\/etc\/shadow is not a file Lifeboat may give pgBackRest as its config: use a file in \/etc\/pgbackrest/,
    ),
  ).toBeVisible();
  await screenshotBoth(page, "pitr-config-refused");
  await config.fill(configPath);
  await form.getByRole("button", { name: "Save archive settings" }).click();
  await expect(page.getByTestId("wal-archive-form-feedback")).toContainText("Saved");
  await expect(section).toContainText("WAL RPO 10 min");

  // An operator's restore point, then Switch WAL now: the commit before it becomes recoverable.
  await page.getByTestId("restore-point-name").fill("bad name!");
  await page.getByTestId("create-restore-point").click();
  await expect(page.getByTestId("restore-point-feedback")).toContainText("letters, digits");
  await page.getByTestId("restore-point-name").fill(`before-migration-${stamp}`);
  await page.getByTestId("create-restore-point").click();
  await expect(page.getByTestId("restore-point-feedback")).toContainText(`before-migration-${stamp}`);
  await pitrPsql(DB, "INSERT INTO t VALUES (11)");
  await page.getByTestId("switch-wal").click();
  await expect(page.getByTestId("wal-archive-feedback")).toContainText("is archived", { timeout: 60_000 });

  await expect(page.getByTestId("wal-archive-verdict")).toContainText("Archiving");
  await expect(page.getByTestId("wal-base-backups")).toContainText("full");
  await expect(page.getByTestId("restore-points")).toContainText(`before-migration-${stamp}`);
  await expect(page.getByTestId("wal-newest-recoverable")).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d/);
  await expect(page.getByTestId("pitr-coverage")).toBeVisible();

  // Picking a moment on the bar offers the restore wizard at that moment.
  const bar = page.getByTestId("pitr-timeline-bar");
  const box = await bar.boundingBox();
  if (!box) throw new Error("the timeline has no box");
  await bar.click({ position: { x: box.width * 0.9, y: box.height / 2 } });
  await expect(page.getByTestId("pitr-picked")).toBeVisible();
  await expect(page.getByTestId("pitr-restore-link")).toHaveAttribute(
    "href",
    new RegExp(`^/restores/new\\?database=${databaseId}&pitrTime=\\d{4}-`),
  );

  await section.scrollIntoViewIfNeeded();
  await screenshotBoth(page, "pitr-health");
  await expectFitsPhone(page, "pitr-health");

  // The dashboard lists the archive.
  await page.goto("/");
  await expect(page.getByTestId("dashboard-wal-archives")).toContainText(NAME);
  await screenshotBoth(page, "pitr-health-dashboard");
});
