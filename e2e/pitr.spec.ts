import { expect, test } from "./fixtures";
import { addArchivedDatabase, pitrPsql, switchWalAndWait } from "./pitr-setup";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// Point-in-time recovery from the screen: rows of a staging database of this spec's own (inside
// the test services' archiving cluster) are archived, the timeline on the database's page is
// read, then the rows are deleted; a click at the end of the recoverable window opens the wizard
// at that moment, the plan names the base backup pgBackRest starts from, and the run copies the
// deleted rows back from a recovery instance.
test.use({ storageState: storageStatePath("admin") });

const stamp = Date.now();
const NAME = `pitr-e2e-${stamp}`;
const DB = `pitr_e2e_${stamp}`;

test("restore to a moment picked on the timeline: the plan names the base backup, the run brings the rows back", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const databaseId = await addArchivedDatabase(page, { name: NAME, dbName: DB, environment: "staging" });
  await pitrPsql(DB, "CREATE TABLE orders (id int PRIMARY KEY, note text)");
  await pitrPsql(DB, "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 100) g");
  const inserted = await pitrPsql(
    DB,
    `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')`,
  );
  // A time target is reached only by a later archived commit: one more, half a minute later, so
  // that a click on the bar's last pixel (a few seconds wide) lands after the rows were written.
  await new Promise((r) => setTimeout(r, 30_000));
  await pitrPsql(DB, "CREATE TABLE marker (x int)");
  await switchWalAndWait(DB);

  // The database's page reads the archive: its timeline ends after the rows were written.
  await page.goto(`/databases/${databaseId}`);
  await page.getByRole("button", { name: "Refresh now" }).click();
  await expect(page.getByText("The archive was read again.")).toBeVisible({ timeout: 60_000 });
  // The timeline as read now (not one read before the rows were archived).
  await page.reload();
  const bar = page.getByTestId("pitr-timeline-bar");
  await expect(bar).toBeVisible({ timeout: 60_000 });
  const newest = (await page.getByTestId("pitr-newest").innerText()).trim();
  expect(newest).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/);

  // The accident, after the moment the timeline shows as recoverable.
  expect(await pitrPsql(DB, "DELETE FROM orders WHERE id > 60")).toBe("DELETE 40");

  // Click the bar at its end: the newest recoverable moment.
  const box = await bar.boundingBox();
  if (!box) throw new Error("the timeline has no box");
  await bar.click({ position: { x: box.width - 1, y: box.height / 2 } });
  await expect(page.getByTestId("pitr-picked")).toBeVisible();
  await screenshotBoth(page, "pitr-timeline-picked");
  await page.getByTestId("pitr-restore-link").click();

  // The wizard carries the moment and the database: choose what happened.
  await expect(page.getByTestId("pitr-carry")).toBeVisible();
  await page.getByRole("link", { name: /Accidental data deletion/ }).click();
  await expect(
    page.getByTestId("restore-source").getByRole("link", { name: "A moment from the WAL archive" }),
  ).toHaveAttribute("aria-current", "page");
  const time = await page.getByTestId("pitr-time").inputValue();
  expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  // The end of the window is after the rows were written (ISO texts of one form compare as times).
  expect(time > inserted).toBe(true);
  await expect(page.getByTestId("pitr-time-local")).toBeVisible();
  await page.getByLabel("Table (schema.table)").fill("public.orders");
  await page.getByLabel(/^Ids:/).fill("1-100");

  // A moment the archive does not reach yet is refused in the plan, naming the newest recoverable
  // moment, with Switch WAL now beside it.
  const later = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19);
  await page.getByTestId("pitr-time").fill(later);
  await page.getByRole("button", { name: "Preflight and plan" }).click();
  const refusal = page.getByTestId("pitr-refusal");
  await expect(refusal).toContainText("is after the newest recoverable moment", { timeout: 60_000 });
  await expect(refusal).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await screenshotBoth(page, "pitr-refused");
  await refusal.getByRole("button", { name: "Switch WAL now" }).click();
  await expect(page.getByTestId("pitr-switched")).toContainText("Switched", { timeout: 60_000 });
  await expect(page).toHaveURL(/\/restores\/new/);

  await page.getByTestId("pitr-time").fill(time);
  await screenshotBoth(page, "pitr-wizard");
  await expectFitsPhone(page, "pitr-wizard");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("button", { name: "Preflight and plan" }).click();
  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 90_000 });

  // The plan: the moment, the base backup pgBackRest starts from, and the run passes exactly that one.
  const pitr = page.getByTestId("run-pitr");
  await expect(pitr).toContainText(`${time.replace("T", " ")} UTC`);
  const label = (await page.getByTestId("run-pitr-base-backup").innerText()).trim();
  expect(label).toMatch(/^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/);
  await expect(page.getByTestId("preflight")).toContainText(`pgBackRest will restore base backup ${label}`);
  // Before confirming: the recovery folder's disk against what the restore needs.
  await expect(page.getByTestId("preflight")).toContainText(
    new RegExp(
      `free disk for the recovery instance in /\\S+: [0-9.]+ [KMGT]iB; it needs about .* \\(base backup ${label} restores to`,
    ),
  );
  await expect(page.getByTestId("step-restore-to-moment")).toContainText(`--set=${label}`);
  await expect(page.getByTestId("step-copy-back")).toBeVisible();
  await screenshotBoth(page, "pitr-plan");
  await expectFitsPhone(page, "pitr-plan");
  await page.setViewportSize({ width: 1280, height: 800 });

  const confirm = page.getByRole("form", { name: "Confirm the restore" });
  await confirm.getByLabel("Target database name").fill(DB);
  await confirm.getByRole("button", { name: "Start the restore" }).click();
  await expect(page.getByTestId("step-preview-rows")).toContainText("succeeded", { timeout: 180_000 });
  await expect(page.getByTestId("row-preview")).toContainText("40 rows of public.orders will be copied back", {
    timeout: 10_000,
  });
  // Operators see where the recovery instance listens, never a password.
  await expect(page.getByTestId("run-recovery-instance")).toContainText(/host 127\.0\.0\.1 port \d+ dbname/);
  const waiting = page
    .locator('[data-testid^="step-"]')
    .filter({ has: page.getByRole("button", { name: "Confirm and continue" }) });
  await waiting.getByRole("button", { name: "Confirm and continue" }).click();
  await expect(page.getByTestId("run-status")).toContainText("Succeeded", { timeout: 120_000 });
  await expect(page.getByTestId("run-verdict")).toContainText("Copied 40 rows back into public.orders");
  await expect(page.getByTestId("run-recovery-instance")).toContainText("stopped and removed");
  await expect(page.getByText(process.env.TEST_PG_PASSWORD ?? "no password set")).toHaveCount(0);
  await screenshotBoth(page, "pitr-verdict");
  await expectFitsPhone(page, "pitr-verdict");

  expect(await pitrPsql(DB, "SELECT count(*) FROM orders")).toBe("100");
});
