import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, request, test } from "./fixtures";
import { addS3Location } from "./helpers";
import { expectFitsPhone, screenshotBoth } from "./screens";
import { knownTestSecrets, secretsIn } from "./test-secrets";
import { storageStatePath } from "./users";
import { testS3 } from "../tests/support/s3";

// Every page's HTML (server-rendered, with its React payload), every GET API route and the
// server's log hold none of the test secrets, after an admin typed a location's secret and a
// database's password into the forms and Lifeboat used them. The page list is not written
// down: the spec follows every link from the dashboard, and finds the API routes in app/api, so
// a new page or route is covered without anyone remembering to add it here.

test.use({ storageState: storageStatePath("admin") });
test.describe.configure({ mode: "serial" });

const dataDir = process.env.E2E_DATA_DIR!;
const bucket = `e2e-no-secrets-${Date.now()}`;
const MAX_PAGES = 400;
const MAX_PER_PATH = 4;

function sandbox() {
  const port = fs.readFileSync(path.join(dataDir, "pg/data/postmaster.pid"), "utf8").split("\n")[3]!.trim();
  const password = /^DEMO_PG_PASSWORD=(.*)$/m.exec(fs.readFileSync(path.join(dataDir, "secrets.env"), "utf8"))![1]!;
  return { port, password };
}

test("an admin stores a location secret and a database password through the forms; the TLS mode is a choice", async ({
  page,
}) => {
  const s3 = testS3();
  await s3.createBucket(bucket);
  await s3.put(bucket, "nosecret_backup_20261130_020000.sql.gz", "not a real dump");
  const form = await addS3Location(page, "no-secrets-s3", bucket);
  await form.getByRole("button", { name: "Add location" }).click();
  await expect(page.getByTestId("locations-message")).toContainText("Added no-secrets-s3");

  const pg = sandbox();
  await page.goto("/settings/databases");
  const add = page.getByRole("button", { name: "Add a database" });
  if (await add.isVisible()) await add.click();
  const dbForm = page.getByRole("form", { name: "Add a database" });
  await dbForm.getByLabel("Name in Lifeboat").fill("no-secrets-db");
  await dbForm.getByLabel("Environment").selectOption("production");
  await dbForm.getByLabel("Host").fill("127.0.0.1");
  await dbForm.getByLabel("Port").fill(pg.port);
  await dbForm.getByLabel("Database name").fill("amani");
  await dbForm.getByLabel("User").fill("lifeboat");
  await dbForm.getByLabel("Password").fill(pg.password);

  // No silent default: saving without a TLS mode is refused on the field.
  await dbForm.getByRole("button", { name: "Add database" }).click();
  await expect(dbForm.getByLabel("TLS mode")).toHaveAttribute("aria-invalid", "true");
  await expect(dbForm.getByText(/Choose the TLS mode/).first()).toBeVisible();
  await expect(dbForm.getByTestId("tls-advice")).toContainText("Production: verify-full is recommended");

  // The migration head: a table and column, the query Lifeboat builds shown as it is typed.
  await dbForm.getByLabel("Migration head: read from").selectOption("custom");
  await dbForm.getByLabel("Table", { exact: true }).fill("schema_migrations");
  await dbForm.getByLabel("Column holding the head").fill("version");
  await expect(dbForm.getByTestId("head-query-preview")).toContainText(
    'SELECT "version" FROM "schema_migrations" ORDER BY "version" DESC NULLS LAST LIMIT 1',
  );
  await dbForm.getByLabel("Table", { exact: true }).fill("\\! id");
  await expect(dbForm.getByTestId("head-query-preview")).toContainText("The table contains a backslash");
  await dbForm.getByLabel("Migration head: read from").selectOption("alembic");

  await dbForm.getByLabel("TLS mode").selectOption("verify-full");
  await screenshotBoth(page, "database-form-tls-head");
  await dbForm.getByRole("button", { name: "Add database" }).click();
  await expect(page.getByTestId("databases-message")).toContainText("Added no-secrets-db");

  // The sandbox has no TLS: verify-full fails and says which setting to change.
  const card = page.locator("section", { hasText: "no-secrets-db" });
  await expect(card.getByTestId("tls-warning")).toHaveCount(0);
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("databases-message")).toContainText(
    "does not accept TLS, but this database's TLS mode is verify-full",
  );
  await card.getByRole("button", { name: "Edit" }).click();
  await card.getByLabel("TLS mode").selectOption("disable");
  await card.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("databases-message")).toContainText("Saved no-secrets-db");
  await expect(card.getByTestId("tls-warning")).toContainText(
    "TLS mode “disable” on production: verify-full is recommended",
  );
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("databases-message")).toContainText(/connected in \d+ ms, PostgreSQL 15/);
  await expectFitsPhone(page, "databases-tls-warning");
});

test("every page's HTML and every GET API response hold none of the test secrets", async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const secrets = knownTestSecrets(dataDir);
  expect(secrets.map((s) => s.name)).toEqual(expect.arrayContaining(["DEMO_PG_PASSWORD", "E2E_S3_SECRET"]));
  const leaks: string[] = [];
  const check = (url: string, status: number, body: string) => {
    expect(status, `${url} answered ${status}`).toBeLessThan(500);
    const found = secretsIn(body, secrets);
    if (found.length > 0) leaks.push(`${url}: ${found.join(", ")}`);
  };

  // The sign-in page, without a session.
  const anon = await request.newContext({ baseURL });
  const signIn = await anon.get("/sign-in");
  check("/sign-in (signed out)", signIn.status(), await signIn.text());
  await anon.dispose();

  // Every page reachable by links from the dashboard, as an admin sees it.
  const seen = new Set<string>();
  const perPath = new Map<string, number>();
  const queue = ["/"];
  while (queue.length > 0 && seen.size < MAX_PAGES) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const res = await page.request.get(url);
    const body = await res.text();
    check(url, res.status(), body);
    if (!(res.headers()["content-type"] ?? "").includes("text/html")) continue;
    for (const m of body.matchAll(/href="(\/[^"#]*)"/g)) {
      const next = m[1]!.replace(/&amp;/g, "&");
      if (next.startsWith("/api/") || next.startsWith("/_next/") || seen.has(next)) continue;
      const p = next.split("?")[0]!;
      const n = perPath.get(p) ?? 0;
      if (n >= MAX_PER_PATH) continue;
      perPath.set(p, n + 1);
      queue.push(next);
    }
  }
  // The walk reached the detail pages, not only the menu.
  for (const p of ["/backups/", "/databases/", "/runbooks/", "/settings/databases"])
    expect(
      [...seen].some((u) => u.startsWith(p)),
      `no page under ${p} was reached`,
    ).toBe(true);

  // Every GET route in app/api, with real ids from Lifeboat's database where it takes one.
  const sqlite = new Database(path.join(dataDir, "lifeboat.db"), { readonly: true });
  const firstId = (table: string) =>
    (sqlite.prepare(`SELECT id FROM "${table}" ORDER BY rowid DESC LIMIT 1`).get() as { id: string } | undefined)?.id ??
    "none";
  const params: Record<string, Record<string, () => string>> = {
    backups: { id: () => firstId("Backup") },
    drills: { id: () => firstId("Drill") },
    runs: { id: () => firstId("Run"), index: () => "0" },
    verifications: { id: () => firstId("Verification") },
  };
  const queries: Record<string, () => string> = {
    "/api/databases/key-patterns": () => `?locationId=${firstId("Location")}&patterns=*`,
  };
  const routes: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === "route.ts" && /export const GET\b/.test(fs.readFileSync(full, "utf8"))) routes.push(full);
    }
  };
  walk("app/api");
  expect(routes.length).toBeGreaterThan(8);
  const apiUrls = ["/api/auth/session", "/api/auth/providers", "/api/auth/csrf"];
  for (const file of routes) {
    const route =
      "/" +
      path
        .dirname(file)
        .split(path.sep)
        .join("/")
        .replace(/^app\//, "");
    if (route.startsWith("/api/auth/")) continue; // next-auth's own routes: listed above
    const resource = route.split("/")[2] ?? "";
    const url = route.replace(/\[([^\]]+)\]/g, (_all, name: string) => {
      const value = params[resource]?.[name];
      if (!value) throw new Error(`${route}: no value for [${name}] — teach e2e/no-secrets.spec.ts where to find one`);
      return encodeURIComponent(value());
    });
    apiUrls.push(url + (queries[route]?.() ?? ""));
  }
  sqlite.close();
  for (const url of apiUrls) {
    const res = await page.request.get(url);
    check(url, res.status(), await res.text());
  }
  expect(leaks).toEqual([]);
  console.log(`checked ${seen.size + 1} pages and ${apiUrls.length} API responses for ${secrets.length} secrets`);
});

test("the server's log so far holds none of the test secrets", async () => {
  // scripts/test-all.sh checks the whole log again after every spec ran (scripts/check-e2e-log.ts).
  const log = fs.readFileSync("test-results/e2e-server.log", "utf8");
  expect(log.length).toBeGreaterThan(0);
  expect(secretsIn(log, knownTestSecrets(dataDir))).toEqual([]);
});
