import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect, test } from "./fixtures";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";
import { createPrismaClient } from "../prisma/client";
import { demoArchiveHealth } from "../lib/pitr/demo-archive";

// The demo's sample WAL archive (npm run demo seeds one on amani-production; the e2e base has
// none, so this spec arranges its own): the health card and the timeline render its made-up
// reading, the page says it is a sample, and the actions that would run pgBackRest say so.
test.use({ storageState: storageStatePath("admin") });

test("the demo's sample WAL archive renders and says that nothing runs", async ({ page }) => {
  const name = `demo-archive-${randomBytes(3).toString("hex")}`;
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error("E2E_DATA_DIR is unset: run through Playwright's config");
  const prisma = createPrismaClient(`file:${path.join(dataDir, "lifeboat.db")}`);
  let databaseId = "";
  try {
    const database = await prisma.database.create({
      data: { name, host: "127.0.0.1", port: 1, dbName: "amani", user: "lifeboat", environment: "staging" },
    });
    databaseId = database.id;
    await prisma.walArchive.create({
      data: {
        databaseId,
        stanza: "amani-demo",
        repoType: "posix",
        repoPath: "/var/lib/pgbackrest",
        repoOptions: JSON.stringify({ demo: true }),
        lastHealth: JSON.stringify(demoArchiveHealth(new Date())),
        lastCheckedAt: new Date(),
      },
    });
  } finally {
    await prisma.$disconnect();
  }

  await page.goto(`/databases/${databaseId}`);
  const section = page.locator("#wal-archive");
  await expect(page.getByTestId("wal-archive-demo")).toContainText("Demo sample");
  await expect(page.getByTestId("wal-archive-verdict")).toContainText("Archiving");
  await expect(page.getByTestId("wal-base-backups")).toContainText("full");
  await expect(page.getByTestId("pitr-coverage")).toBeVisible();
  await expect(page.getByTestId("wal-newest-recoverable")).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d/);

  await page.getByTestId("refresh-archive").click();
  await expect(page.getByTestId("wal-archive-feedback")).toContainText("This is the demo's sample WAL archive");
  await page.getByTestId("switch-wal").click();
  await expect(page.getByTestId("wal-archive-feedback")).toContainText("nothing here can run pgBackRest");
  await section.scrollIntoViewIfNeeded();
  await screenshotBoth(page, "pitr-demo-archive");
  await expectFitsPhone(page, "pitr-demo-archive");

  await page.goto("/");
  await expect(page.getByTestId("dashboard-wal-archives").locator("li", { hasText: name })).toContainText(
    "demo sample data, no real archive",
  );
});
