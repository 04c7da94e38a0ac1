// Seeds the demo's own database: the demo admin (password from data/demo/secrets.env),
// a few colleagues so that roles can be tried, and what the Backups area needs: the
// `demo-local` Location (DEMO_DIR/backups, filled by scripts/demo-backups.ts), the sandbox
// PostgreSQL's `amani-production` and `amani-staging` Databases, and the source that ties
// amani-production's backups to demo-local. Safe to run on every start: everything is
// created by name when missing; an existing Database only gets its port and password put
// back in line with the sandbox's (so that a changed DEMO_PG_PORT still works).
import path from "node:path";
import { createPrismaClient, type LifeboatPrisma } from "../prisma/client";
import { ensureAdmin } from "../prisma/bootstrap";
import { appendAuditEvent } from "../lib/audit/chain";
import { hashPassword } from "../lib/auth/password";
import { decryptSecret, encryptSecret } from "../lib/crypto/secrets";
import { seedMonthlyTests } from "./demo-monthly-tests";
import { demoArchiveHealth, isDemoArchive } from "../lib/pitr/demo-archive";

const LOCATION_NAME = "demo-local";
const SOURCE_PATTERNS = "amani_backup_*\npre_migration_*";

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`run through npm run demo (${name} is unset)`);
  return v;
}

async function systemAudit(
  prisma: LifeboatPrisma,
  action: string,
  targetType: string,
  targetId: string,
  detail: Record<string, unknown>,
) {
  await prisma.$transaction((tx) =>
    appendAuditEvent(tx, {
      actorId: null,
      actorEmail: "system",
      action,
      targetType,
      targetId,
      detail: JSON.stringify({ ...detail, demo: true }),
    }),
  );
}

function samePassword(sealed: string | null, password: string, key: Buffer): boolean {
  if (!sealed) return false;
  try {
    return decryptSecret(sealed, key) === password;
  } catch {
    return false;
  }
}

async function seedBackupsArea(prisma: LifeboatPrisma) {
  const demoDir = path.resolve(required("LIFEBOAT_DEMO_DIR"));
  const pgPassword = required("DEMO_PG_PASSWORD");
  const key = Buffer.from(required("LIFEBOAT_ENCRYPTION_KEY"), "base64");
  const port = Number(process.env.DEMO_PG_PORT ?? 55432);

  let location = await prisma.location.findUnique({ where: { name: LOCATION_NAME } });
  if (!location) {
    location = await prisma.location.create({
      data: {
        name: LOCATION_NAME,
        kind: "local",
        config: JSON.stringify({ path: path.join(demoDir, "backups"), prefix: "" }),
        secrets: null,
      },
    });
    await systemAudit(prisma, "location.create", "location", location.id, { name: LOCATION_NAME, kind: "local" });
  }

  const databases = [
    { name: "amani-production", environment: "production", dbName: "amani" },
    { name: "amani-staging", environment: "staging", dbName: "amani_staging" },
  ];
  for (const d of databases) {
    const existing = await prisma.database.findUnique({ where: { name: d.name } });
    let id: string;
    if (!existing) {
      const created = await prisma.database.create({
        data: {
          ...d,
          host: "127.0.0.1",
          port,
          user: "lifeboat",
          passwordEnc: encryptSecret(pgPassword, key),
          sslmode: "disable",
        },
      });
      await systemAudit(prisma, "database.create", "database", created.id, { name: d.name });
      id = created.id;
    } else {
      id = existing.id;
      if (existing.port !== port || !samePassword(existing.passwordEnc, pgPassword, key)) {
        await prisma.database.update({ where: { id }, data: { port, passwordEnc: encryptSecret(pgPassword, key) } });
        await systemAudit(prisma, "database.update", "database", id, { name: d.name, fields: ["port", "password"] });
      }
    }
    if (d.environment === "production") {
      const source = await prisma.databaseSource.findUnique({
        where: { databaseId_locationId: { databaseId: id, locationId: location.id } },
      });
      if (!source)
        await prisma.databaseSource.create({
          data: { databaseId: id, locationId: location.id, patterns: SOURCE_PATTERNS },
        });
    }
  }
}

/**
 * amani-production's monthly test plan: the default schedule (first Monday, 03:00 UTC), the
 * newest backup, restored on the sandbox server reached through its socket folder (the demo has
 * one server; a real plan names a separate test server), two validation queries.
 */
async function seedTestPlan(prisma: LifeboatPrisma) {
  const database = await prisma.database.findUnique({ where: { name: "amani-production" } });
  if (!database) return;
  if (await prisma.testPlan.findUnique({ where: { databaseId: database.id } })) return;
  const plan = await prisma.testPlan.create({
    data: {
      databaseId: database.id,
      cron: "0 3 * * MON#1",
      backupChoice: "newest",
      creation: "scheduled",
      creationMaxAgeHours: 26,
      testHost: path.join(path.resolve(required("LIFEBOAT_DEMO_DIR")), "pg"),
      testPort: database.port,
      testUser: "lifeboat",
      testSslmode: "disable",
      scratchPrefix: "lifeboat_test_",
      keepScratchHours: 0,
      queryTimeoutSeconds: 30,
      lastDueAt: new Date(),
      queries: {
        create: [
          { index: 0, name: "Users exist", sql: "SELECT count(*) FROM users", comparator: "gte", expected: "1" },
          {
            index: 1,
            name: "Transactions as backed up",
            sql: "SELECT count(*) FROM transactions",
            comparator: "eq_manifest",
            manifestTable: "transactions",
          },
        ],
      },
    },
  });
  await systemAudit(prisma, "test_plan.save", "database", database.id, { database: database.name, planId: plan.id });
}

/**
 * amani-production's sample WAL archive, so the database page's point-in-time section (health,
 * base backups, the timeline) and the dashboard show what an archive looks like without
 * pgBackRest: marked demo, its reading made-up and renewed on every start, and every action that
 * would run pgBackRest refused with words that say so. An archive an admin saved is left alone.
 * The e2e tests' base (LIFEBOAT_DEMO_WAL_ARCHIVE=0) has none: their specs set up real archives.
 */
async function seedWalArchive(prisma: LifeboatPrisma) {
  if (process.env.LIFEBOAT_DEMO_WAL_ARCHIVE === "0") return;
  const database = await prisma.database.findUnique({ where: { name: "amani-production" } });
  if (!database) return;
  const existing = await prisma.walArchive.findUnique({ where: { databaseId: database.id } });
  if (existing && !isDemoArchive(existing)) return;
  const now = new Date();
  const data = {
    stanza: "amani-demo",
    repoType: "posix",
    repoPath: "/var/lib/pgbackrest",
    repoOptions: JSON.stringify({ demo: true }),
    walRpoMinutes: 5,
    lastHealth: JSON.stringify(demoArchiveHealth(now, 5)),
    lastCheckedAt: new Date(now.getTime() - 30_000),
  };
  if (existing) {
    await prisma.walArchive.update({ where: { id: existing.id }, data });
  } else {
    await prisma.walArchive.create({ data: { databaseId: database.id, ...data } });
    await systemAudit(prisma, "wal-archive.create", "database", database.id, { stanza: data.stanza });
  }
}

async function main() {
  const url = process.env.LIFEBOAT_DATABASE_URL;
  const password = process.env.DEMO_ADMIN_PASSWORD;
  if (!url || !password)
    throw new Error("run through npm run demo (LIFEBOAT_DATABASE_URL and DEMO_ADMIN_PASSWORD are unset)");
  const prisma = createPrismaClient(url);
  await ensureAdmin(prisma, { email: "admin@lifeboat.demo", password, name: "Demo Admin", resetPassword: true });
  const colleagues = [
    { email: "oncall@lifeboat.demo", name: "Olu On-call", role: "operator" },
    { email: "approver@lifeboat.demo", name: "Amani Approver", role: "approver" },
    { email: "auditor@lifeboat.demo", name: "Ada Auditor", role: "viewer" },
  ];
  for (const c of colleagues) {
    const exists = await prisma.user.findUnique({ where: { email: c.email } });
    // Colleagues share the admin's demo password so every role can be tried.
    if (!exists) await prisma.user.create({ data: { ...c, passwordHash: await hashPassword(password) } });
  }
  await seedBackupsArea(prisma);
  await seedTestPlan(prisma);
  await seedMonthlyTests(prisma);
  await seedWalArchive(prisma);
  await prisma.$disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
