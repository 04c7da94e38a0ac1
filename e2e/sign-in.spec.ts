import { expect, test } from "./fixtures";
import { E2E_PASSWORD, E2E_USERS } from "./users";
import { screenshotBoth } from "./screens";

test("an anonymous visitor is sent to the sign-in page", async ({ page }) => {
  await page.goto("/backups");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test.describe("a refused sign-in", () => {
  // The browser logs the credentials callback's 401 itself; that one is the point of the test.
  test.use({
    allowedConsoleErrors: [/status of 401 \(Unauthorized\) \(http:\/\/[^)]+\/api\/auth\/callback\/credentials\)$/],
  });

  test("a wrong password gets a clear message and no session", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("E-mail").fill(E2E_USERS.admin.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("sign-in-error")).toContainText("Wrong e-mail or password");
    await expect(page).toHaveURL(/\/sign-in/);
    const me = await page.request.get("/api/me");
    expect(me.status()).toBe(401);
    const session = await (await page.request.get("/api/auth/session")).json();
    expect(session).toEqual({});
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => c.name)).not.toContain("next-auth.session-token");
  });
});

test("signing in shows the dashboard; screenshots of both at desktop and phone width", async ({ page }) => {
  await page.goto("/sign-in");
  await screenshotBoth(page, "sign-in");
  await page.getByLabel("E-mail").fill(E2E_USERS.operator.email);
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("console-status")).toContainText("ok");
  await expect(page.getByText("auth.sign_in").first()).toBeVisible();
  await screenshotBoth(page, "dashboard");
  await page.setViewportSize({ width: 390, height: 844 });
  // On a phone the navigation stays reachable without horizontal page scroll.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Backups" })).toBeVisible();
});

test("signing out ends the session", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(E2E_USERS.viewer.email);
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).filter({ visible: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await page.request.get("/api/me")).status()).toBe(401);
});

test("pages and API responses carry the security headers; no unsafe-eval in production", async ({ page }) => {
  for (const path of ["/sign-in", "/api/auth/session"]) {
    const res = await page.request.get(path);
    const headers = res.headers();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("default-src 'self'");
    expect(csp, path).not.toContain("unsafe-eval");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("same-origin");
    // The e2e console is served over plain http.
    expect(headers["strict-transport-security"], path).toBeUndefined();
  }
});
