import { expect, test } from "./fixtures";
import { DESKTOP, expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// The corruption scenario end to end against the e2e server's sandbox PostgreSQL (the demo's
// `amani`, a production database in Lifeboat) and its demo backups.
test.use({ storageState: storageStatePath("operator") });

test("the corruption wizard: wrong name refused, right name runs, live log and timers, verdict with row counts", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  // The catalog must know the demo backups (other specs may already have synced).
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });

  await page.goto("/restores/new");
  await page.getByRole("link", { name: /Database corruption/ }).click();
  await page.getByTestId("target-amani-production").click();
  await expect(page.getByTestId("wizard-target")).toContainText("PRODUCTION");
  const chosen = page.locator('input[name="backupId"]:checked');
  await expect(chosen).toHaveCount(1);
  await page.getByRole("button", { name: "Preflight and plan" }).click();

  await expect(page).toHaveURL(/\/restores\/[a-z0-9]+$/, { timeout: 60_000 });
  await expect(page.getByTestId("run-status")).toContainText("Planned");
  await expect(page.getByTestId("preflight")).toContainText(/connect|version|size/i);
  await expect(page.getByTestId("step-restore-scratch")).toContainText(/pg_restore|psql/);
  await screenshotBoth(page, "restore-plan");
  // The plan says what it is bound to: the backup's sha256 (or its size and etag) and the target.
  await expect(page.getByTestId("run-binding")).toContainText(/(sha256 [0-9a-f]{16}…|no sha256 known).* and amani on /);

  const confirm = page.getByRole("form", { name: "Confirm the restore" });
  await confirm.getByLabel("Lifeboat name/database name").fill("amani_staging");
  await confirm.getByRole("button", { name: "Start the restore" }).click();
  await expect(page.getByTestId("confirm-error")).toContainText('You typed "amani_staging"');
  await expect(page.getByTestId("run-status")).toContainText("Planned");
  await screenshotBoth(page, "restore-confirm-refused");

  // Before the switch-over, the old copy's name is a promise, not a fact.
  await expect(page.getByTestId("run-target")).toContainText(/Old copy will be kept as: amani_before_\d{14}/);

  // Production's confirmation is the Lifeboat name and the database name, as the dialog shows it:
  // the bare database name (what staging takes) is refused.
  await expect(confirm).toContainText("amani-production/amani");
  await confirm.getByLabel("Lifeboat name/database name").fill("amani");
  await confirm.getByRole("button", { name: "Start the restore" }).click();
  await expect(page.getByTestId("confirm-error")).toContainText('type "amani-production/amani" exactly');

  // The page shows the run started at once: the confirm form goes, the status leaves "Planned".
  await confirm.getByLabel("Lifeboat name/database name").fill("amani-production/amani");
  const clicked = Date.now();
  await confirm.getByRole("button", { name: "Start the restore" }).click();
  await expect(page.getByTestId("run-status")).toHaveText(/Starting|Running|Waiting/, { timeout: 1_000 });
  await expect(confirm).toHaveCount(0, { timeout: 1_000 });
  const toRunning = Date.now() - clicked;
  console.info(`[restore] running state shown ${toRunning} ms after the click`);
  expect(toRunning).toBeLessThan(1_000);
  await expect(page.getByTestId("run-log")).toContainText("Confirmed by operator@e2e.test", { timeout: 5_000 });
  await expect(page.getByTestId("step-preflight")).toContainText("succeeded", { timeout: 5_000 });

  // Timers move while it runs.
  const first = await page.getByTestId("run-elapsed").innerText();
  await expect(page.getByTestId("run-elapsed")).not.toHaveText(first, { timeout: 5_000 });
  await expect(page.getByTestId("run-rto")).toContainText("RTO 15 min");

  // The switch-over waits for a confirmation; then the manual steps wait for ticks.
  await expect(page.getByTestId("step-confirm-switch-over")).toContainText("waiting", { timeout: 120_000 });
  await screenshotBoth(page, "restore-running");
  await expect(page.getByTestId("step-verify-scratch")).toContainText("succeeded");
  // amani is production, under the two-person rule: the operator's confirmation waits for an
  // approval from an approver who did not plan or confirm the run (the server refuses it all the
  // same: tests/security/approvals.test.ts).
  const gate = page.getByTestId("step-confirm-switch-over");
  const box = gate.getByTestId("approval-run.switch-over");
  await expect(box.getByTestId("approval-headline")).toHaveText("Needs a second person's approval");
  await expect(gate.getByTestId("needs-approver")).toHaveText("Confirming needs the approval above first.");
  await expect(gate.getByRole("button", { name: "Confirm and continue" })).toBeDisabled();
  await box.getByRole("button", { name: "Request approval" }).click();
  await expect(box.getByTestId("approval-headline")).toHaveText("Waiting for an approver");
  await expect(box.getByTestId("approval-facts")).toContainText("Requested by operator@e2e.test");
  await expect(box.getByTestId("approval-countdown")).toHaveText(/^(29|30) min \d\d s left$/);
  await expect(box.getByRole("button", { name: "Approve" })).toHaveCount(0);
  // Said at the top of the page as well: on a phone the step is several screens down.
  await expect(page.getByTestId("run-approval-pointer")).toContainText(
    /Waiting for an approver: operator@e2e\.test requested approval of step \d+\./,
  );
  await expect(page.getByTestId("run-status")).toHaveText("Waiting for an approver");
  await screenshotBoth(page, "approval-requested");

  // The approver sees it on the dashboard (the navigation counts it) and approves it on the run page.
  const approver = await browser.newContext({ storageState: storageStatePath("approver") });
  const approverPage = await approver.newPage();
  await approverPage.goto("/");
  await expect(approverPage.getByTestId("nav-approvals-badge").first()).toContainText(/[1-9]/);
  const pending = approverPage.getByTestId("pending-approvals");
  await expect(pending).toContainText("Switch-over of amani-production");
  await expect(pending).toContainText("requested by operator@e2e.test");
  await screenshotBoth(approverPage, "approval-dashboard");
  await expectFitsPhone(approverPage, "approval-dashboard");
  await approverPage.setViewportSize(DESKTOP);
  await pending
    .getByRole("link", { name: /Switch-over of amani-production/ })
    .first()
    .click();
  await expect(approverPage).toHaveURL(page.url());
  const approverBox = approverPage.getByTestId("approval-run.switch-over");
  await expect(approverBox.getByRole("button", { name: "Decline" })).toBeVisible();
  await screenshotBoth(approverPage, "approval-approver");
  await approverBox.screenshot({ path: "test-results/screenshots/approval-box-desktop.png" });
  await expectFitsPhone(approverPage, "approval-approver");
  await approverBox.screenshot({ path: "test-results/screenshots/approval-box-phone.png" });
  await approverPage.setViewportSize(DESKTOP);
  await approverBox.getByRole("button", { name: "Approve" }).click();
  await expect(approverBox.getByTestId("approval-headline")).toHaveText("Approved by approver@e2e.test");

  // The operator's page shows the approval within a poll; the tick now goes through, once.
  await expect(box.getByTestId("approval-headline")).toHaveText("Approved by approver@e2e.test", { timeout: 5_000 });
  await expect(gate.getByRole("button", { name: "Confirm and continue" })).toBeEnabled();
  await screenshotBoth(page, "approval-approved");
  await gate.getByRole("button", { name: "Confirm and continue" }).click();
  await expect(gate).toContainText("succeeded", { timeout: 30_000 });
  await expect(page.getByTestId("run-log")).toContainText("approved by approver@e2e.test");
  for (const key of ["run-migrations", "start-application", "check-health"]) {
    const step = page.getByTestId(`step-${key}`);
    await expect(step.getByRole("button", { name: "Done — continue" })).toBeVisible({ timeout: 60_000 });
    await step.getByLabel("Note (optional)").fill(`done in the e2e test (${key})`);
    await step.getByRole("button", { name: "Done — continue" }).click();
    await expect(step).toContainText("succeeded", { timeout: 15_000 });
  }
  await expect(page.getByTestId("run-status")).toContainText("Succeeded", { timeout: 30_000 });
  await expect(page.getByTestId("run-verdict")).toContainText(
    /\d+ tables, [\d,]+ rows, row counts match the backup's manifest/,
  );
  await expect(page.getByTestId("run-log")).toContainText("switch");
  await expect(page.getByTestId("run-target")).toContainText(/Old copy kept as: amani_before_\d{14}/);
  await screenshotBoth(page, "restore-finished");
  // On a phone the verdict, names and commands stay inside the page's width.
  await expectFitsPhone(page, "restore-finished");
  await page.setViewportSize(DESKTOP);

  // The old copy stays until it is dropped with its own typed confirmation; on production after
  // a second person's approval, which a wrong name does not use up.
  await expect(page.getByTestId("drop-needs-approver")).toHaveText("Dropping it needs the approval below first.");
  const dropBox = page.getByTestId("approval-run.drop-old-copy");
  await dropBox.getByRole("button", { name: "Request approval" }).click();
  await expect(dropBox.getByTestId("approval-headline")).toHaveText("Waiting for an approver");
  await approverPage.reload();
  await approverPage.getByTestId("approval-run.drop-old-copy").getByRole("button", { name: "Approve" }).click();
  await expect(dropBox.getByTestId("approval-headline")).toHaveText("Approved by approver@e2e.test", {
    timeout: 15_000,
  });
  await approver.close();
  const drop = page.getByRole("form", { name: "Drop the old copy" });
  await drop.getByLabel("Old copy name").fill("amani");
  await drop.getByRole("button", { name: "Drop the old copy" }).click();
  await expect(page.getByTestId("drop-old-copy-result")).toContainText("Nothing was dropped");
  const oldCopy = (await drop.locator("strong").innerText()).trim();
  expect(oldCopy).toMatch(/^amani_before_\d{14}$/);
  await drop.getByLabel("Old copy name").fill(oldCopy);
  await drop.getByRole("button", { name: "Drop the old copy" }).click();
  await expect(page.getByTestId("drop-old-copy-result")).toContainText(`Dropped ${oldCopy}.`);

  await page.goto("/restores");
  await expect(page.getByTestId("runs-table")).toContainText("succeeded");
  await expect(page.getByTestId("runs-table")).toContainText("confirmed by operator@e2e.test");
});
