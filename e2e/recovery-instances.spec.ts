import path from "node:path";
import { expect, test } from "./fixtures";
import { createPrismaClient } from "../prisma/client";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// The recovery instances list: what a killed console or a failed recovery left is listed, with
// its state in words and (for operators) how to connect, never the password; Remove deletes it.
// The rows are arranged through Lifeboat's database (a real recovery needs a WAL archive, which
// the point-in-time restore spec drives); their folders do not exist, so removal has nothing to stop.
test.describe.configure({ mode: "serial" });

const dataDir = process.env.E2E_DATA_DIR!;
const prisma = () => createPrismaClient(`file:${path.join(dataDir, "lifeboat.db")}`);
const FAILED = `ri${`e2efailed${Date.now().toString(36)}`.padEnd(20, "0").slice(0, 20)}`;
const INTERRUPTED = `ri${`e2eintr${Date.now().toString(36)}`.padEnd(20, "0").slice(0, 20)}`;
const target = (label: string) =>
  JSON.stringify({ target: { kind: "time", at: "2026-12-01T14:06:59Z" }, baseBackupLabel: label, pgBinDir: null });

test.beforeAll(async () => {
  const db = prisma();
  try {
    const database = await db.database.findFirstOrThrow({ where: { name: "amani-production" } });
    const dir = path.join(dataDir, "recovery");
    await db.recoveryInstance.createMany({
      data: [
        {
          id: FAILED,
          databaseId: database.id,
          dataDir: path.join(dir, FAILED, "data"),
          port: 41234,
          status: "failed",
          target: target("20261201-020000F"),
          note: "Recovery to the time 2026-12-01 14:06:59+00 (UTC) failed: FATAL: recovery ended before configured recovery target was reached. The archive does not reach the time 2026-12-01 14:06:59+00 (UTC): choose a target at or before the newest recoverable moment shown on the timeline, or use Switch WAL now on the database so its last minutes are archived, then plan again.",
        },
        {
          id: INTERRUPTED,
          databaseId: database.id,
          dataDir: path.join(dir, INTERRUPTED, "data"),
          port: 41235,
          status: "interrupted",
          target: target("20261201-020000F"),
          note: "The console stopped while this instance was recovering. Remove it, or resume its run (which starts a new one).",
        },
      ],
    });
  } finally {
    await db.$disconnect();
  }
});

test.describe("as an operator", () => {
  test.use({ storageState: storageStatePath("operator") });

  test("listed from Restore and the dashboard, with connection details; Remove deletes one", async ({ page }) => {
    await page.goto("/");
    const card = page.getByTestId("dashboard-recovery-instances");
    await expect(card).toContainText("interrupted");
    await expect(card).toContainText("amani-production: restore to the time 2026-12-01 14:06:59+00 (UTC)");
    await expect(card).not.toContainText("failed");
    await screenshotBoth(page, "recovery-instances-dashboard");

    await page.goto("/restores");
    await page.getByRole("link", { name: /Recovery instances \(\d+\)/ }).click();
    await expect(page).toHaveURL(/\/restores\/recovery-instances$/);
    const failed = page.getByTestId(`recovery-instance-${FAILED}`);
    await expect(failed).toContainText("✗ failed");
    await expect(failed).toContainText("recovery ended before configured recovery target was reached");
    await expect(failed).toContainText("port 41234");
    await expect(failed).toContainText("database amani, user");
    await expect(failed).toContainText("not running");
    const interrupted = page.getByTestId(`recovery-instance-${INTERRUPTED}`);
    await expect(interrupted).toContainText("▲ interrupted");
    await expect(interrupted).toContainText("The console stopped while this instance was recovering");
    await screenshotBoth(page, "recovery-instances");
    await expectFitsPhone(page, "recovery-instances");

    page.once("dialog", (d) => {
      expect(d.message()).toContain("Production is not touched");
      void d.accept();
    });
    await failed.getByRole("button", { name: "Remove" }).click();
    await expect(page.getByTestId(`recovery-instance-${FAILED}`)).toHaveCount(0, { timeout: 15_000 });
    await expect(interrupted).toBeVisible();
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStatePath("viewer") });

  test("sees the state, not how to connect, and no buttons", async ({ page }) => {
    await page.goto("/restores/recovery-instances");
    const interrupted = page.getByTestId(`recovery-instance-${INTERRUPTED}`);
    await expect(interrupted).toContainText("interrupted");
    await expect(interrupted).not.toContainText("port 41235");
    await expect(interrupted.getByRole("button")).toHaveCount(0);
  });
});
