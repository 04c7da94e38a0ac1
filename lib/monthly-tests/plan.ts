import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { seal, unseal } from "@/lib/crypto/key";
import { lockTarget } from "@/lib/runner/lock";
import type { PgConnection } from "@/lib/postgres/connection";
import type { SslMode } from "@/lib/postgres/tls";
import type { SaveTestPlan } from "@/lib/monthly-tests/plan-schema";

// A database's monthly test plan: saved by an admin (lib/monthly-tests/commands.ts), read by the
// test run and the scheduler. The test server must never be a production server nor the tested
// database's own server: the scratch database is created, filled and dropped there, and the
// validation queries run there. Checked when the plan is saved and again before every run,
// because a database entry can become production (or move) after the plan was saved.

/** The sealed test-server password opens only on its own plan's row. */
export const testPasswordContext = (planId: string) => ({ table: "TestPlan", id: planId, field: "testPasswordEnc" });

/** The maintenance database the scratch databases are created from and dropped through. */
export const TEST_MAINTENANCE_DATABASE = "postgres";

/** "host:port" as the run lock normalizes it: lower case, no trailing dot, loopback names as one. */
export function serverKey(host: string, port: number): string {
  return lockTarget({ host, port, dbName: "" }).replace(/\/$/, "");
}

/**
 * Why the test server may not be used for this database's tests, or null: it is the server of a
 * production database, or the tested database's own server.
 */
export async function testServerConflict(
  databaseId: string,
  server: { testHost: string; testPort: number },
): Promise<string | null> {
  const key = serverKey(server.testHost, server.testPort);
  const databases = await db.database.findMany({
    select: { id: true, name: true, environment: true, host: true, port: true, dbName: true },
  });
  // Production first: the graver reason when both hold.
  const production = databases.find((d) => d.environment === "production" && serverKey(d.host, d.port) === key);
  if (production)
    return `The test server ${server.testHost}:${server.testPort} is the production server of ${production.name} (${production.dbName}): a monthly test never restores into a production connection. Enter a test server.`;
  const own = databases.find((d) => d.id === databaseId);
  if (own && serverKey(own.host, own.port) === key)
    return `The test server ${server.testHost}:${server.testPort} is ${own.name}'s own server (${own.dbName} runs there): a monthly test restores into a separate test server, never next to the database it tests. Enter another server.`;
  return null;
}

export async function saveTestPlan(input: SaveTestPlan) {
  const database = await db.database.findUnique({
    where: { id: input.databaseId },
    select: { id: true, name: true },
  });
  if (!database) throw new NotFoundError("The database");
  const conflict = await testServerConflict(database.id, input);
  if (conflict) throw new UserError(`${conflict} The plan was not saved.`, 409);
  const existing = await db.testPlan.findUnique({ where: { databaseId: database.id } });
  // The stored password stays only while it goes to the same server and user (as a database's).
  const sameAddress =
    existing !== null &&
    existing.testHost === input.testHost &&
    existing.testPort === input.testPort &&
    existing.testUser === input.testUser;
  const id = existing?.id ?? randomUUID();
  const kept = () => (existing?.testPasswordEnc ? unseal(existing.testPasswordEnc, testPasswordContext(id)) : null);
  const plain = input.testPassword ? input.testPassword : input.clearTestPassword || !sameAddress ? null : kept();
  const passwordDropped =
    !input.testPassword && !input.clearTestPassword && !!existing?.testPasswordEnc && !sameAddress;
  const fields = {
    enabled: input.enabled,
    cron: input.cron,
    backupChoice: input.backupChoice,
    randomDays: input.randomDays,
    creation: input.creation,
    creationMaxAgeHours: input.creationMaxAgeHours,
    testHost: input.testHost,
    testPort: input.testPort,
    testUser: input.testUser,
    testPasswordEnc: plain ? seal(plain, testPasswordContext(id)) : null,
    testSslmode: input.testSslmode,
    testSslRootCert: input.testSslRootCert,
    scratchPrefix: input.scratchPrefix,
    keepScratchHours: input.keepScratchHours,
    queryTimeoutSeconds: input.queryTimeoutSeconds,
  };
  // A changed schedule counts from now: a due time of the old one is not started late.
  const cronChanged = existing === null || existing.cron !== input.cron;
  const saved = await db.$transaction(async (tx) => {
    const row = existing
      ? await tx.testPlan.update({
          where: { id },
          data: { ...fields, ...(cronChanged ? { lastDueAt: new Date() } : {}) },
        })
      : await tx.testPlan.create({ data: { id, databaseId: database.id, ...fields, lastDueAt: new Date() } });
    await tx.testQuery.deleteMany({ where: { planId: row.id } });
    for (const [index, q] of input.queries.entries())
      await tx.testQuery.create({
        data: {
          planId: row.id,
          index,
          name: q.name,
          sql: q.sql,
          comparator: q.comparator,
          expected: q.comparator === "eq_manifest" ? null : q.expected,
          manifestTable: q.comparator === "eq_manifest" ? q.manifestTable : null,
        },
      });
    return row;
  });
  return {
    id: saved.id,
    databaseId: database.id,
    databaseName: database.name,
    testServer: `${saved.testHost}:${saved.testPort}`,
    queries: input.queries.length,
    passwordChanged: Boolean(input.testPassword) || input.clearTestPassword || passwordDropped,
    passwordDropped,
  };
}

export async function deleteTestPlan(input: { databaseId: string }) {
  const plan = await db.testPlan.findUnique({
    where: { databaseId: input.databaseId },
    select: { id: true, database: { select: { name: true } } },
  });
  if (!plan) throw new NotFoundError("The test plan");
  await db.testPlan.delete({ where: { id: plan.id } });
  return { id: plan.id, databaseName: plan.database.name };
}

type PlanRow = {
  id: string;
  testHost: string;
  testPort: number;
  testUser: string;
  testPasswordEnc: string | null;
  testSslmode: string;
  testSslRootCert: string | null;
};

/** The test server's connection (maintenance database) with the decrypted password: server-side only. */
export function testServerConnection(plan: PlanRow, database: string = TEST_MAINTENANCE_DATABASE): PgConnection {
  return {
    host: plan.testHost,
    port: plan.testPort,
    user: plan.testUser,
    database,
    password: plan.testPasswordEnc ? unseal(plan.testPasswordEnc, testPasswordContext(plan.id)) : undefined,
    sslmode: plan.testSslmode as SslMode,
    sslrootcert: plan.testSslRootCert,
  };
}
