import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { expect, test } from "./fixtures";
import { DESKTOP, expectFitsPhone, screenshotBoth } from "./screens";
import { storageStatePath } from "./users";

// An admin adds a signed webhook channel pointing at a receiver this spec starts on 127.0.0.1,
// sends a test, sees the result next to the button and "delivered" in the delivery log; the
// receiver checks the signature the way the README tells a receiver to.
test.use({ storageState: storageStatePath("admin") });

type Hit = { path: string; body: string; signature: string; timestamp: string };
const hits: Hit[] = [];
let server: http.Server;
let port: number;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits.push({
        path: req.url ?? "",
        body: Buffer.concat(chunks).toString("utf8"),
        signature: String(req.headers["x-lifeboat-signature"] ?? ""),
        timestamp: String(req.headers["x-lifeboat-timestamp"] ?? ""),
      });
      res.writeHead(req.url?.startsWith("/down") ? 503 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test("add a webhook channel, send a test, see it delivered in the log", async ({ page }) => {
  await page.goto("/settings");
  await page.getByRole("link", { name: "Manage alerts" }).click();
  await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
  await expect(page.getByText("No alert channels yet")).toBeVisible();

  await page.getByRole("button", { name: "Add a channel" }).click();
  const form = page.getByRole("form", { name: "Add a channel" });
  await form.getByLabel("Name").fill("on-call webhook");
  await form.getByLabel("Kind").selectOption("webhook");
  await form.getByLabel("Receiver URL").fill(`http://127.0.0.1:${port}/hooks/lifeboat-token-e2e`);
  await form.getByRole("button", { name: "Generate" }).click();
  const secret = await form.getByLabel("Signing secret (HMAC-SHA256)").inputValue();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  await screenshotBoth(page, "alerts-add-channel");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByTestId("channels-message")).toContainText("Added on-call webhook");

  const card = page.getByTestId("channel-on-call webhook");
  // Where it goes, without the URL's path (its token) or the secret.
  await expect(card).toContainText(`http://127.0.0.1:${port}/…`);
  await expect(page.locator("body")).not.toContainText("lifeboat-token-e2e");
  await expect(page.locator("body")).not.toContainText(secret);

  await card.getByRole("button", { name: "Send test" }).click();
  await expect(card.getByTestId("test-result")).toContainText("✓ Test delivered");
  const log = page.getByTestId("delivery-log");
  await expect(log.getByTestId("delivery-row").first()).toContainText("delivered");
  await expect(log.getByTestId("delivery-row").first()).toContainText("on-call webhook");

  expect(hits).toHaveLength(1);
  const hit = hits[0]!;
  expect(hit.path).toBe("/hooks/lifeboat-token-e2e");
  expect(hit.signature).toBe(
    `sha256=${createHmac("sha256", secret).update(`${hit.timestamp}.${hit.body}`).digest("hex")}`,
  );
  expect(JSON.parse(hit.body)).toMatchObject({ source: "lifeboat", type: "test" });

  await page.setViewportSize(DESKTOP);
  await screenshotBoth(page, "alerts-delivered");
  await expectFitsPhone(page, "alerts");
});

test("a receiver that is down: the test says so inline and the log shows the error", async ({ page }) => {
  await page.goto("/settings/alerts");
  await page.getByRole("button", { name: "Add a channel" }).click();
  const form = page.getByRole("form", { name: "Add a channel" });
  await form.getByLabel("Name").fill("broken webhook");
  await form.getByLabel("Kind").selectOption("webhook");
  await form.getByLabel("Receiver URL").fill(`http://127.0.0.1:${port}/down`);
  await form.getByRole("button", { name: "Add channel" }).click();
  // No signing secret: the form says which field is missing.
  await expect(form.getByText(/^Enter a signing secret/)).toBeVisible();
  await form.getByRole("button", { name: "Generate" }).click();
  await form.getByRole("button", { name: "Add channel" }).click();
  const card = page.getByTestId("channel-broken webhook");
  await card.getByRole("button", { name: "Send test" }).click();
  await expect(card.getByTestId("test-result")).toContainText(
    `✗ Test not delivered: http://127.0.0.1:${port} answered HTTP 503.`,
  );
  await page.getByRole("link", { name: "broken webhook" }).click();
  await expect(page.getByTestId("delivery-row")).toHaveCount(1);
  await expect(page.getByTestId("delivery-row")).toContainText("failed");
  await screenshotBoth(page, "alerts-failed-test");
});

test("a failed verification reaches the webhook once and shows on the dashboard as an open alert", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("/backups");
  await page.getByRole("button", { name: "Sync all now" }).click();
  await expect(page.getByTestId("sync-demo-local")).toContainText("✓ ok", { timeout: 30_000 });
  // The demo's truncated backup (a 14:00 .sql.gz that is not the empty one).
  await page.goto("/backups?q=_140000.sql.gz");
  await page
    .getByTestId("backups-table")
    .locator("tbody tr")
    .filter({ hasNotText: "0 bytes" })
    .getByRole("link")
    .first()
    .click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("failed", { timeout: 60_000 });

  await expect
    .poll(() => hits.filter((h) => h.path.startsWith("/hooks/") && h.body.includes('"verification_failed"')).length)
    .toBe(1);
  const alert = JSON.parse(hits.find((h) => h.body.includes('"verification_failed"'))!.body);
  expect(alert).toMatchObject({ type: "alert", event: "verification_failed", database: "amani-production" });

  await page.goto("/");
  const card = page.getByTestId("open-incidents");
  await expect(card).toContainText("Verification failed");
  await expect(card).toContainText("amani-production");
  await screenshotBoth(page, "alerts-dashboard-open-incident");
  await expectFitsPhone(page, "alerts-dashboard");
});
