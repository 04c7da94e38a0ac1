import path from "node:path";
import { execa } from "execa";
import { expect, type Page } from "@playwright/test";
import { createPrismaClient } from "../prisma/client";

// Point-in-time recovery specs share this set-up: a database of the spec's own inside the test
// services' archiving cluster (TEST_PITR_*; never stopped or reconfigured), added to Lifeboat by
// an admin through Settings → Databases, with the cluster's pgBackRest stanza as its WAL archive.

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is unset: run through npm run test:all (scripts/services.sh)`);
  return v;
}

export function pitrPg() {
  const port = Number(need("TEST_PITR_PG_PORT"));
  const user = need("TEST_PG_USER");
  const password = need("TEST_PG_PASSWORD");
  const env = { PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: user, PGPASSWORD: password, PGCONNECT_TIMEOUT: "5" };
  return { host: "127.0.0.1", port, user, password, env };
}

/** One statement on the archiving cluster; its output, unaligned. */
export async function pitrPsql(database: string, sql: string): Promise<string> {
  const r = await execa("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql], {
    env: pitrPg().env,
  });
  return r.stdout.trim();
}

/** pg_switch_wal() in its own statement, then waits until the archiver pushed that segment. */
export async function switchWalAndWait(database: string): Promise<void> {
  const segment = await pitrPsql(database, "SELECT pg_walfile_name(pg_switch_wal())");
  await expect
    .poll(
      async () =>
        (await pitrPsql(database, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")).slice(8) >=
        segment.slice(8),
      { timeout: 30_000 },
    )
    .toBe(true);
}

/**
 * Creates `dbName` on the archiving cluster, adds it to Lifeboat (as the admin `page` is signed
 * in) and gives it the cluster's WAL archive. Returns its id in Lifeboat.
 */
export async function addArchivedDatabase(
  page: Page,
  opts: { name: string; dbName: string; environment: "production" | "staging" | "test" },
): Promise<string> {
  const pg = pitrPg();
  await pitrPsql("postgres", `CREATE DATABASE "${opts.dbName}" TEMPLATE template0 ENCODING 'UTF8'`);
  await page.goto("/settings/databases");
  await page.getByRole("button", { name: "Add a database" }).click();
  const form = page.getByRole("form", { name: "Add a database" });
  await form.getByLabel("Name in Lifeboat").fill(opts.name);
  await form.getByLabel("Environment").selectOption(opts.environment);
  await form.getByLabel("Host").fill(pg.host);
  await form.getByLabel("Port").fill(String(pg.port));
  await form.getByLabel("Database name").fill(opts.dbName);
  await form.getByLabel("User").fill(pg.user);
  await form.getByLabel("Password").fill(pg.password);
  await form.getByLabel("TLS mode").selectOption("disable");
  await form.getByRole("button", { name: "Add database" }).click();
  await expect(page.getByTestId("databases-message")).toContainText(`Added ${opts.name}`);
  // The WAL archive's own form is the archive spec's to drive; here its row is arranged directly.
  const prisma = createPrismaClient(`file:${path.join(need("E2E_DATA_DIR"), "lifeboat.db")}`);
  try {
    const database = await prisma.database.findUniqueOrThrow({ where: { name: opts.name } });
    await prisma.walArchive.create({
      data: {
        databaseId: database.id,
        stanza: need("TEST_PITR_STANZA"),
        configPath: need("TEST_PITR_CONFIG"),
        repoType: "posix",
        repoPath: need("TEST_PITR_REPO_PATH"),
      },
    });
    return database.id;
  } finally {
    await prisma.$disconnect();
  }
}
