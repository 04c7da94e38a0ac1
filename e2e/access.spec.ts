import { expect, test } from "./fixtures";
import { routeFiles, routeUrl } from "../tests/support/files";
import { storageStatePath } from "./users";

// /metrics takes a bearer token, not a session (checked below and in tests/alerts/metrics.test.ts).
const PUBLIC = new Set(["app/api/health/route.ts", "app/api/auth/[...nextauth]/route.ts", "app/metrics/route.ts"]);
const guarded = routeFiles().filter((f) => !PUBLIC.has(f));

test.describe("without a session", () => {
  test("every guarded route handler answers 401 over HTTP", async ({ request }) => {
    expect(guarded.length).toBeGreaterThan(0);
    for (const file of guarded) {
      const res = await request.get(routeUrl(file));
      // 405 means the route has no GET; those are covered by tests/auth-coverage.test.ts.
      if (res.status() === 405) continue;
      expect(res.status(), `${routeUrl(file)} (${file})`).toBe(401);
      expect(await res.json()).toHaveProperty("error");
    }
  });

  test("/metrics gives no figures without its bearer token", async ({ request }) => {
    const res = await request.get("/metrics");
    // 404 while LIFEBOAT_METRICS_TOKEN is unset, 401 when it is set.
    expect([401, 404]).toContain(res.status());
    expect(await res.text()).not.toContain("lifeboat_");
  });

  test("health answers without a session and names no secret", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: { reachable: true } });
    expect(JSON.stringify(body)).not.toMatch(/secret|password|file:|\/data\//i);
  });
});

test.describe("as a viewer", () => {
  test.use({ storageState: storageStatePath("viewer") });

  test("admin-only API and page refuse with 403 and say why", async ({ page, request }) => {
    const res = await request.get("/api/users");
    expect(res.status()).toBe(403);
    expect((await res.json()).error).toContain("admin");
    await page.goto("/settings/users");
    await expect(page.getByTestId("forbidden")).toContainText("needs the admin role");
  });
});

test.describe("as an admin", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("the password hash never leaves the server", async ({ page, request }) => {
    const bodies = [
      await (await request.get("/api/users")).text(),
      await (await request.get("/api/me")).text(),
      await (await request.get("/api/auth/session")).text(),
    ];
    await page.goto("/settings/users");
    bodies.push(await page.content());
    await page.goto("/audit");
    bodies.push(await page.content());
    for (const body of bodies) {
      expect(body).not.toContain("scrypt$");
      expect(body).not.toContain("passwordHash");
    }
    expect(bodies[0]).toContain("viewer@e2e.test");
  });
});
