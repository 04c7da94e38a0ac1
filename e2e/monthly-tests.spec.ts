import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "./fixtures";
import { DESKTOP, expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath, E2E_USERS } from "./users";
import { removeBackupsLifeboatTook } from "./backup-cleanup";
import { execa } from "execa";
import { testPg } from "./backup-data";

// A monthly test end to end: an admin gives amani-production a test plan (restore onto the test
// PostgreSQL server, a fresh backup first), an operator runs it with "Run test now" and signs it
// as performed by, an approver countersigns it, the calendar cell turns green and the record is
// locked; the operator cannot countersign their own test; a viewer sees everything and signs
// nothing; the printable report, one page per test.

test.describe.configure({ mode: "serial" });
test.use({ storageState: storageStatePath("operator") });

const dataDir = process.env.E2E_DATA_DIR!;
const month = new Date().toISOString().slice(0, 7);

function sqlite() {
  return new Database(path.join(dataDir, "lifeboat.db"), { readonly: true });
}
function row<T>(sql: string, ...args: unknown[]): T | undefined {
  const d = sqlite();
  try {
    return d.prepare(sql).get(...args) as T | undefined;
  } finally {
    d.close();
  }
}
const databaseId = () => row<{ id: string }>(`SELECT id FROM "Database" WHERE name = 'amani-production'`)!.id;

/** The calendar cell of amani-production this month, in the layout the viewport shows. */
function cell(page: Page) {
  const wide = (page.viewportSize()?.width ?? 1280) >= 768;
  return page.locator(
    `[data-testid="${wide ? "calendar-cell" : "calendar-cell-phone"}"][data-database="amani-production"][data-month="${month}"]`,
  );
}

let testUrl = "";

test.afterAll(async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStatePath("operator") });
  await removeBackupsLifeboatTook(await context.newPage());
  await context.close();
});

test("an admin plans the test, an operator runs it with Run test now and signs it as performed by", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  // The demo's objects belong to the role lifeboat: roles live in the server, not in a backup, so
  // the test server needs it (a restore names a missing role and stops, as it should).
  const pg = testPg();
  await execa(
    "psql",
    [
      "-X",
      "-v",
      "ON_ERROR_STOP=1",
      "-d",
      "postgres",
      "-c",
      "DO $$BEGIN CREATE ROLE lifeboat NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$",
    ],
    { env: pg.env },
  );
  const admin = await browser.newContext({ storageState: storageStatePath("admin") });
  const adminPage = await admin.newPage();
  await adminPage.goto(`/tests/plans/new?database=${databaseId()}`);
  const form = adminPage.getByRole("form", { name: "Test plan of amani-production" });
  await form.getByRole("radio", { name: /On demand/ }).check();
  await form.getByLabel("Creation step").selectOption("fresh");
  await form.getByLabel("Host").fill("127.0.0.1");
  await form.getByLabel("Port").fill(process.env.TEST_PG_PORT!);
  await form.getByLabel("User", { exact: true }).fill(process.env.TEST_PG_USER!);
  await form.getByLabel("Password", { exact: true }).fill(process.env.TEST_PG_PASSWORD!);
  await form.getByLabel("TLS", { exact: true }).selectOption("disable");
  await form.getByTestId("save-plan").click();
  await expect(adminPage).toHaveURL(/\/tests\/plans$/, { timeout: 15_000 });
  await admin.close();
  const planId = row<{ id: string }>(`SELECT id FROM "TestPlan" WHERE databaseId = ?`, databaseId())!.id;

  // This month is due before the test.
  await page.goto("/tests");
  await expect(cell(page)).toHaveAttribute("data-state", "due");

  await page.goto(`/tests/plans/${planId}`);
  await page.getByTestId("run-test-now").click();
  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 15_000 });
  await expect(page.getByTestId("run-status")).toHaveText(/Succeeded|Failed|Cancelled/, { timeout: 180_000 });
  await expect(page.getByTestId("run-status")).toHaveText("Succeeded");

  // The calendar: done, passed, nobody signed yet.
  await page.goto("/tests");
  await expect(cell(page)).toHaveAttribute("data-state", "unsigned");
  await cell(page).click();
  await expect(page).toHaveURL(/\/tests\/[a-z0-9]+$/);
  testUrl = new URL(page.url()).pathname;

  // What was tested and the measured numbers.
  await expect(page.getByTestId("record-state")).toContainText("unsigned");
  await expect(page.getByTestId("record-backup-key")).toContainText("lifeboat/amani-production/");
  await expect(page.getByTestId("record-size")).toContainText("bytes");
  await expect(page.getByTestId("record-restore-time")).toContainText("within the RTO");
  await expect(page.getByTestId("record-table-counts")).toContainText("public.users");
  await expect(page.getByTestId("record-queries")).toContainText("Users exist");

  await page.getByRole("button", { name: "Sign as performed by" }).click();
  await expect(page.getByTestId("performed-by")).toContainText(E2E_USERS.operator.email);
  // The operator cannot countersign their own test: no button, and the page says why.
  await expect(page.getByRole("button", { name: /Countersign/ })).toHaveCount(0);
  await expect(page.getByTestId("countersign-why")).toContainText(
    `You (${E2E_USERS.operator.email}) signed this test as performed by, so you cannot countersign it`,
  );
  await screenshotBoth(page, "monthly-test-signed");
  await expectFitsPhone(page, "monthly-test-signed");
  await page.setViewportSize(DESKTOP);
  await page.goto("/tests");
  await expect(cell(page)).toHaveAttribute("data-state", "passed");
});

test("an approver countersigns: the record is locked and the calendar cell turns green", async ({ browser }) => {
  expect(testUrl).not.toBe("");
  const approver = await browser.newContext({ storageState: storageStatePath("approver") });
  const page = await approver.newPage();
  await page.setViewportSize(DESKTOP);
  await page.goto(testUrl);
  await page.getByRole("button", { name: "Countersign and lock" }).click();
  await expect(page.getByTestId("locked-banner")).toContainText(`countersigned by ${E2E_USERS.approver.email}`);
  await expect(page.getByTestId("countersigned-by")).toContainText(E2E_USERS.approver.email);
  await expect(page.getByTestId("locked-at")).toContainText("since");
  await expect(page.getByRole("button", { name: /Sign as performed by|Countersign/ })).toHaveCount(0);

  // Locked: a remark is appended, nothing else changes.
  await page.getByRole("textbox", { name: "Remark" }).fill("Restore time checked against last month: fine.");
  await page.getByRole("button", { name: "Add remark" }).click();
  await expect(page.getByTestId("record-remarks")).toContainText("Restore time checked against last month: fine.");
  await expect(page.getByTestId("record-audit")).toContainText("monthly_test.countersign");
  await screenshotBoth(page, "monthly-test-locked");

  await page.goto("/tests");
  await expect(cell(page)).toHaveAttribute("data-state", "signed");
  await expect(cell(page)).toContainText("signed");
  await expect(cell(page)).toHaveCSS("color", "rgb(255, 255, 255)");
  await screenshotBoth(page, "monthly-tests-calendar");
  await expectFitsPhone(page, "monthly-tests-calendar");
  await expect(cell(page)).toHaveAttribute("data-state", "signed");
  await approver.close();
});

test("a viewer sees everything and signs nothing", async ({ browser }) => {
  const viewer = await browser.newContext({ storageState: storageStatePath("viewer") });
  const page = await viewer.newPage();
  await page.setViewportSize(DESKTOP);
  await page.goto(testUrl);
  for (const id of ["record-tested", "record-numbers", "record-signatures", "record-remarks", "record-audit"])
    await expect(page.getByTestId(id)).toBeVisible();
  await expect(page.getByTestId("viewer-note")).toContainText("signing needs the operator role");
  await expect(page.getByRole("button", { name: /Sign as|Countersign|Add remark|Close|Run test/ })).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "Remark" })).toHaveCount(0);

  // Another month's record waiting for its countersignature (the demo's): still nothing to press.
  const waiting = row<{ id: string }>(
    `SELECT id FROM "BackupTest" WHERE performedBy IS NOT NULL AND countersignedBy IS NULL LIMIT 1`,
  );
  if (waiting) {
    await page.goto(`/tests/${waiting.id}`);
    await expect(page.getByTestId("viewer-note")).toBeVisible();
    await expect(page.getByRole("button", { name: /Countersign|Sign as/ })).toHaveCount(0);
  }

  // The exports: CSV and JSON of the record.
  const id = testUrl.split("/").pop()!;
  const csv = await page.request.get(`/api/monthly-tests/evidence?id=${id}&format=csv`);
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(id);
  const json = (await (await page.request.get(`/api/monthly-tests/evidence?id=${id}&format=json`)).json()) as {
    tests: { signatures: { countersignedBy: string } }[];
  };
  expect(json.tests[0]!.signatures.countersignedBy).toBe(E2E_USERS.approver.email);
  await viewer.close();
});

test("the printable report: one page per test, without the console around it", async ({ page }) => {
  const id = testUrl.split("/").pop()!;
  await page.goto(`/tests/report?id=${id}`);
  await expect(page.getByTestId("report-test")).toHaveCount(1);
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("aside")).toBeHidden();
  await expect(page.getByRole("button", { name: "Print" })).toBeHidden();
  await expect(page.getByTestId("report-test")).toContainText(E2E_USERS.approver.email);
  await expect(page.getByTestId("report-test")).toContainText("monthly_test.countersign");
  await screenshotBoth(page, "monthly-test-report-print");

  // A range: every test started in it, each on its own page.
  await page.emulateMedia({ media: "screen" });
  await page.goto(`/tests/report?from=2020-01-01&to=${new Date().toISOString().slice(0, 10)}`);
  const count = await page.getByTestId("report-test").count();
  expect(count).toBeGreaterThan(1);
  await page.emulateMedia({ media: "print" });
  await expect(page.getByTestId("report-test").first()).toHaveCSS("break-after", "page");
  await screenshotBoth(page, "monthly-tests-report-range-print");
  await page.emulateMedia({ media: "screen" });
  await expectFitsPhone(page, "monthly-tests-report-range");
});

test("the dashboard lists what needs someone; the trends chart each database with its numbers", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("dashboard-monthly-tests")).toBeVisible();
  await expect(page.getByTestId("dashboard-test-actions")).toContainText("Alert on a backup smaller");
  await expect(page.getByTestId("dashboard-overdue-drills")).toBeVisible();
  await screenshotBoth(page, "dashboard-monthly-tests");
  await page.setViewportSize(DESKTOP);
  await page.goto("/tests/trends");
  await expect(page.getByTestId("trend-restore-chart").first()).toBeVisible();
  await expect(page.getByRole("table", { name: /amani-production: monthly test numbers/ }).first()).toBeAttached();
  await screenshotBoth(page, "monthly-tests-trends");
  await expectFitsPhone(page, "monthly-tests-trends");
});
