import { expect, test, type Page } from "./fixtures";
import { DESKTOP, expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

test.use({ storageState: storageStatePath("operator") });

const seconds = (text: string) =>
  text
    .split(":")
    .map(Number)
    .reduce((a, b) => a * 60 + b, 0);
const stepTime = async (page: Page, i: number) =>
  seconds(await page.getByTestId(`drill-step-${i}`).getByTestId("step-time").innerText());

test("a drill: schedule, start, time three steps with a pause, survive a reload, close with an issue and an improvement, report", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto("/drills");
  const form = page.getByRole("form", { name: "Schedule a drill" });
  await form.getByLabel("Scenario").selectOption("database-corruption");
  await form.getByLabel("Database used").selectOption({ label: "amani-production (production)" });
  await form.getByLabel("Date and time (UTC)").fill("2026-12-01T09:00");
  await form.getByRole("button", { name: "Schedule the drill" }).click();
  await expect(page.getByTestId("schedule-error")).toContainText(
    "production database: a drill uses a staging or test database",
  );

  await form.getByLabel("Database used").selectOption({ label: "amani-staging (staging)" });
  await form.getByLabel("Participants").selectOption(["operator@e2e.test"]);
  await form.getByRole("button", { name: "Schedule the drill" }).click();
  await expect(page).toHaveURL(/\/drills\/[a-z0-9]+$/);
  const ics = await page.request.get(page.url().replace("/drills/", "/api/drills/") + "/ics");
  expect(await ics.text()).toContain("ATTENDEE;RSVP=TRUE:mailto:operator@e2e.test");

  await page.getByRole("button", { name: "Start the drill" }).click();
  await expect(page.getByTestId("drill-state")).toContainText("running");

  const step = (i: number) => page.getByTestId(`drill-step-${i}`);
  // Step 1: start, run ~2 s, finish.
  await step(0).getByRole("button", { name: "Start" }).click();
  await expect(step(0)).toContainText("running");
  // One step at a time: another step cannot start meanwhile.
  await step(1).getByRole("button", { name: "Start" }).click();
  await expect(page.getByTestId("drill-error")).toContainText("is still running: pause or finish it first");
  await page.waitForTimeout(2_000);
  await step(0).getByRole("button", { name: "Finish" }).click();
  await expect(step(0)).toContainText("finished");

  // Step 2: start, pause, wait (not counted), resume, reload mid-step, finish.
  await step(1).getByRole("button", { name: "Start" }).click();
  await page.waitForTimeout(1_500);
  await step(1).getByRole("button", { name: "Pause" }).click();
  await expect(step(1)).toContainText("paused");
  const paused = await stepTime(page, 1);
  await page.waitForTimeout(2_000);
  expect(await stepTime(page, 1)).toBe(paused);
  await step(1).getByRole("button", { name: "Resume" }).click();
  await page.waitForTimeout(1_500);
  await page.reload();
  await expect(step(1)).toContainText("running");
  const afterReload = await stepTime(page, 1);
  expect(afterReload).toBeGreaterThanOrEqual(paused + 1);
  await expect.poll(() => stepTime(page, 1), { timeout: 5_000 }).toBeGreaterThan(afterReload);
  await step(1).getByLabel("Issues found").fill("The runbook's download command was out of date");
  await step(1)
    .getByRole("button", { name: /Save notes/ })
    .click();
  await expect(step(1)).toContainText("saved");
  await step(1).getByRole("button", { name: "Finish" }).click();

  // Step 3.
  await step(2).getByRole("button", { name: "Start" }).click();
  await page.waitForTimeout(1_200);
  await step(2).getByRole("button", { name: "Finish" }).click();
  await expect(step(2)).toContainText("finished");
  await screenshotBoth(page, "drill-running");

  // The other steps were not rehearsed: closing now could not count as meeting the RTO.
  await expect(page.getByTestId("close-unfinished")).toContainText("neither done nor skipped");
  // Skipping needs a reason; the server refuses a blank one.
  // The step's own test id, since the "Skip…" button the filter looks for goes away once clicked.
  const skippable = page
    .locator('[data-testid^="drill-step-"]')
    .filter({ has: page.getByRole("button", { name: "Skip…" }) });
  const nextSkippable = async () => {
    const id = (await skippable.count()) > 0 ? await skippable.first().getAttribute("data-testid") : null;
    return id ? page.getByTestId(id) : null;
  };
  const skipFirst = (await nextSkippable())!;
  await skipFirst.getByRole("button", { name: "Skip…" }).click();
  await skipFirst.getByLabel(/Why is this step skipped/).fill("   ");
  await skipFirst.getByRole("button", { name: "Skip this step" }).click();
  await expect(skipFirst.getByTestId("skip-error")).toContainText("Say why the step is skipped");
  await skipFirst.getByLabel(/Why is this step skipped/).fill("Not rehearsed on staging this quarter");
  await skipFirst.getByRole("button", { name: "Skip this step" }).click();
  await expect(skipFirst.getByTestId("skip-reason")).toContainText("Not rehearsed on staging this quarter");
  for (let next = await nextSkippable(); next; next = await nextSkippable()) {
    await next.getByRole("button", { name: "Skip…" }).click();
    await next.getByLabel(/Why is this step skipped/).fill("Not rehearsed on staging this quarter");
    await next.getByRole("button", { name: "Skip this step" }).click();
    await expect(next.getByTestId("skip-reason")).toContainText("Not rehearsed on staging this quarter");
  }
  await expect(page.getByTestId("close-unfinished")).toHaveCount(0);

  const close = page.getByRole("form", { name: "Close the drill" });
  await close.getByLabel("Issues").fill("Staging lacked a backup location at first");
  await close.getByRole("button", { name: "Add an improvement" }).click();
  await close.getByLabel("Improvement").fill("Add staging's backup location to Settings");
  await close.getByLabel("Owner").fill("Olu On-call");
  await close.getByLabel("Due date").fill("2026-12-15");
  await close.getByRole("button", { name: "Close the drill" }).click();
  await expect(page.getByTestId("drill-state")).toContainText("closed: met the RTO");

  await page.getByRole("link", { name: "Report" }).click();
  await expect(page.getByTestId("drill-report")).toContainText("Add staging's backup location to Settings");
  await expect(page.getByTestId("drill-report")).toContainText("The runbook's download command was out of date");
  await expect(page.getByTestId("report-skipped")).toContainText(
    "Not rehearsed on staging this quarter (skipped by operator@e2e.test",
  );
  await expect(page.getByTestId("step-times-chart")).toBeVisible();
  const times = await page.getByTestId("report-step-time").allInnerTexts();
  const sum = times.map(seconds).reduce((a, b) => a + b, 0);
  const total = seconds(await page.getByTestId("report-total").innerText());
  // Each step's time and the total are rounded to whole seconds on their own: the rounded
  // parts may drift from the rounded whole by up to half a second each.
  expect(Math.abs(total - sum)).toBeLessThanOrEqual(times.length / 2 + 0.5);
  expect(total).toBeGreaterThanOrEqual(5);
  await screenshotBoth(page, "drill-report");
  await expectFitsPhone(page, "drill-report");
  await page.setViewportSize(DESKTOP);

  const csv = await page.request.get(page.url().replace("/drills/", "/api/drills/").replace("/report", "/csv"));
  const csvText = await csv.text();
  expect(csvText).toMatch(/^step,title,kind,state,seconds,from restore run,skip reason/);
  expect(csvText).toContain("skipped,0,no,Not rehearsed on staging this quarter (skipped by operator@e2e.test)");

  await page.goto("/drills");
  // The history chart has labelled axes with dates, a legend and the RTO.
  const chart = page.getByTestId("drill-totals-chart").first();
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(chart).toContainText("Drill closed (UTC)");
  await expect(chart).toContainText("Minutes");
  await expect(chart).toContainText("RTO (min)");
  await expect(
    chart
      .locator(".recharts-cartesian-axis-tick-value")
      .filter({ hasText: /^\d{1,2} [A-Z][a-z]{2,3}( \d{2})?$/ })
      .first(),
  ).toBeVisible();
  await chart.getByRole("button", { name: "Show the numbers as a table" }).click();
  await expect(chart.locator("table")).toContainText("met the RTO");
  await chart.scrollIntoViewIfNeeded();
  await chart.screenshot({ path: "test-results/screenshots/drills-chart-desktop.png" });
  await screenshotBoth(page, "drills");
  await expectFitsPhone(page, "drills");
  await page.setViewportSize(DESKTOP);
  await expect(page.getByTestId("open-actions")).toContainText("Olu On-call");
  await page.goto("/runbooks");
  await expect(page.getByTestId("runbook-drill-database-corruption")).toContainText("drilled");
});

test("a drill with untouched steps closes as incomplete, never as met", async ({ page }) => {
  await page.goto("/drills");
  const form = page.getByRole("form", { name: "Schedule a drill" });
  await form.getByLabel("Scenario").selectOption("database-corruption");
  await form.getByLabel("Database used").selectOption({ label: "amani-staging (staging)" });
  await form.getByLabel("Date and time (UTC)").fill("2026-12-03T09:00");
  await form.getByRole("button", { name: "Schedule the drill" }).click();
  await expect(page).toHaveURL(/\/drills\/[a-z0-9]+$/);
  await page.getByRole("button", { name: "Start the drill" }).click();
  const first = page.getByTestId("drill-step-0");
  await first.getByRole("button", { name: "Start" }).click();
  await expect(first).toContainText("running");
  await first.getByRole("button", { name: "Finish" }).click();
  await expect(first).toContainText("finished");
  await page.getByRole("form", { name: "Close the drill" }).getByRole("button", { name: "Close the drill" }).click();
  await expect(page.getByTestId("drill-state")).toContainText("closed: incomplete");
  await page.getByRole("link", { name: "Report" }).click();
  await expect(page.getByTestId("report-outcome")).toContainText("incomplete");
  await expect(page.getByTestId("report-unfinished")).toContainText("neither done nor skipped");
});
