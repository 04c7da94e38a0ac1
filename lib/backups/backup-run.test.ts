import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { pgRestoreArgs } from "@/lib/postgres/commands";
import { withPgEnv, type PgConnection } from "@/lib/postgres/connection";
import { tableRowCounts } from "@/lib/postgres/run";
import {
  AMANI_SCALE1_COUNTS,
  createDatabase,
  createFixtureDatabase,
  dropDatabase,
  runSqlFile,
  uniqueDatabaseName,
} from "@/lib/postgres/test-support";
import { manifestKey, manifestSchema } from "@/lib/backups/manifest";
import { beginSync } from "@/lib/catalog/sync";
import { saveLocation } from "@/lib/locations/mutations";
import { saveLocationSchema } from "@/lib/locations/schemas";
import { sealDatabasePassword } from "@/tests/support/seal-password";
import { closedPort, uniqueName } from "@/tests/support/services";
import { databaseEntry, freshLocation, type LocationKind } from "@/tests/support/backup-targets";
import { configureBackupRetries, startBackupRun } from "./backup-run";
import { labelAndCopiesOf } from "./copies-query";

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

// Backups Lifeboat takes, through the runner, into real servers of each kind (a folder, the S3
// server, Azurite, the GCS emulator) from a real PostgreSQL database holding the fixture: the
// manifest's sha256 is the object's, a restore gives the fixture's row counts, the catalog has the
// backup with its label at once (and keeps it assigned after a sync), a copy verifies at its
// destination, and a failure leaves nothing and alerts once until a good backup resolves it.

const actor = { id: "test-operator", email: "operator@example.test" };
let conn: PgConnection;
const folders: string[] = [];
const scratch: string[] = [];
const tag = randomBytes(3).toString("hex");

beforeAll(async () => {
  conn = await createFixtureDatabase("bkrun");
  configureBackupRetries({ delaysMs: [50] });
}, 120_000);

afterAll(async () => {
  if (conn) await dropDatabase(conn.database);
  for (const name of scratch) await dropDatabase(name);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

async function objectsIn(locationId: string): Promise<string[]> {
  const location = await db.location.findUniqueOrThrow({ where: { id: locationId } });
  const page = await createStorage(fullConfig(location)).list({});
  return page.objects.map((o) => o.key).sort();
}

/** The object's bytes into a temporary file, with their sha256. */
async function download(locationId: string, key: string): Promise<{ file: string; sha256: string }> {
  const location = await db.location.findUniqueOrThrow({ where: { id: locationId } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bkrun-dl-"));
  folders.push(dir);
  const file = path.join(dir, path.basename(key));
  await pipeline(await createStorage(fullConfig(location)).read(key), fs.createWriteStream(file));
  return { file, sha256: createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
}

async function restoredCounts(file: string, format: "custom" | "plain_gzip"): Promise<Record<string, number>> {
  const name = uniqueDatabaseName("bkrun_restored");
  scratch.push(name);
  const target = await createDatabase(name);
  if (format === "custom") {
    const [bin, ...args] = pgRestoreArgs({ dbname: name, exitOnError: true, file });
    await withPgEnv(target, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore" }));
  } else {
    const sql = `${file}.sql`;
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), fs.createWriteStream(sql));
    await runSqlFile(target, sql);
  }
  return Object.fromEntries((await tableRowCounts(target)).map((t) => [t.name, t.rows]));
}

async function sync(locationId: string) {
  const { done } = await beginSync(locationId, "manual");
  await done;
}

describe.each([
  ["local", "plain_gzip"],
  ["s3", "custom"],
  ["azure", "custom"],
  ["gcs", "custom"],
] as const)("a backup into %s (%s)", (kind: LocationKind, format) => {
  let locationId: string;
  let databaseId: string;
  let runId: string;

  beforeAll(async () => {
    locationId = (await freshLocation(kind, `bkrun-${tag}`, folders)).id;
    databaseId = await databaseEntry(conn, uniqueName(`bkrun-${kind}`), [locationId]);
    const started = await startBackupRun(
      { databaseId, label: "pre-migration", locationId, format, trigger: "manual", requestedBy: actor.email },
      actor,
    );
    runId = started.runId;
    await started.done;
  }, 120_000);

  test("the run succeeds and the manifest's sha256 is the stored object's", async () => {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status, run.verdict ?? "").toBe("succeeded");
    const backup = await db.backup.findUniqueOrThrow({ where: { id: run.backupId! } });
    expect(backup.label).toBe("pre-migration");
    expect(backup.databaseId).toBe(databaseId);
    // Verified as soon as the run ended: read back from the location against its manifest.
    expect(backup.verificationState, backup.verificationSummary ?? "").toBe("verified");
    expect(backup.kind).toBe("pre_migration");
    expect(backup.format).toBe(format);
    const manifest = manifestSchema.parse(JSON.parse(backup.manifest!));
    const { sha256 } = await download(locationId, backup.key);
    expect(manifest.sha256).toBe(sha256);
    expect(Number(backup.size)).toBe(manifest.size);
    expect(await objectsIn(locationId)).toEqual([backup.key, manifestKey(backup.key)].sort());
  });

  test("restoring it gives the fixture's row counts", async () => {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    const backup = await db.backup.findUniqueOrThrow({ where: { id: run.backupId! } });
    const { file } = await download(locationId, backup.key);
    expect(await restoredCounts(file, format)).toEqual(AMANI_SCALE1_COUNTS);
  }, 120_000);

  test("a sync keeps it in the catalog, assigned to its database, with its label", async () => {
    await sync(locationId);
    const rows = await db.backup.findMany({ where: { locationId, vanishedAt: null } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ databaseId, label: "pre-migration" });
  });
});

test("a copy goes to a second location and is verified there by checksum", async () => {
  const primary = (await freshLocation("local", `bkcopy-${tag}`, folders)).id;
  const copy = (await freshLocation("s3", `bkcopy-${tag}`, folders)).id;
  const databaseId = await databaseEntry(conn, uniqueName("bkrun-copy"), [primary]);
  const { runId, done } = await startBackupRun(
    {
      databaseId,
      label: "daily",
      locationId: primary,
      copyLocationIds: [copy],
      trigger: "manual",
      requestedBy: actor.email,
    },
    actor,
  );
  await done;
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true, logs: true } });
  expect(run.status, run.verdict ?? "").toBe("succeeded");
  expect(run.steps.map((s) => s.status)).toEqual(["succeeded", "succeeded"]);
  const rows = await db.backup.findMany({ where: { databaseId }, include: { location: true } });
  expect(rows.map((r) => r.locationId).sort()).toEqual([primary, copy].sort());
  const [a, b] = rows.map((r) => manifestSchema.parse(JSON.parse(r.manifest!)).sha256);
  expect(a).toBe(b);
  const inCopy = rows.find((r) => r.locationId === copy)!;
  expect(inCopy.key.startsWith("pg/lifeboat/")).toBe(true);
  expect((await download(copy, inCopy.key)).sha256).toBe(a);
  expect(run.logs.map((l) => l.text).join("\n")).toMatch(/The copy in .+ is verified: sha256 [0-9a-f]{64} read back/);
  // The backup's page lists the copy.
  session.user = { id: "viewer", email: "viewer@example.test", name: "Viewer", role: "viewer" };
  const original = rows.find((r) => r.locationId === primary)!;
  const { label, copies } = await labelAndCopiesOf(original.id);
  session.user = null;
  expect(label).toBe("daily");
  expect(copies.map((c) => ({ id: c.id, key: c.key }))).toEqual([{ id: inCopy.id, key: inCopy.key }]);
}, 120_000);

describe("a failing backup leaves nothing behind, alerts once, and the next good one resolves it", () => {
  test("wrong password: nothing kept, a clear error, one open backup_failed; then a good backup resolves it", async () => {
    const locationId = (await freshLocation("local", `bkfail-${tag}`, folders)).id;
    const databaseId = await databaseEntry(conn, uniqueName("bkrun-fail"), [locationId]);
    const secret = `wrong-${randomBytes(6).toString("hex")}`;
    await sealDatabasePassword(databaseId, secret);

    const first = await startBackupRun(
      { databaseId, label: "manual", locationId, trigger: "manual", requestedBy: actor.email },
      actor,
    );
    await first.done;
    const failed = await db.run.findUniqueOrThrow({ where: { id: first.runId }, include: { logs: true } });
    expect(failed.status).toBe("failed");
    expect(failed.verdict).toMatch(/password authentication failed for user .+: check the database's password/);
    expect(failed.logs.map((l) => l.text).join("\n")).toMatch(/Attempt 1 of 2 failed and left nothing behind/);
    expect(JSON.stringify(failed)).not.toContain(secret);
    expect(await objectsIn(locationId)).toEqual([]);
    expect(await db.backup.count({ where: { locationId } })).toBe(0);

    // A second failure is the same incident, not a second alert.
    const second = await startBackupRun(
      {
        databaseId,
        label: "manual",
        locationId,
        trigger: "manual",
        requestedBy: actor.email,
        now: new Date(Date.now() + 1000),
      },
      actor,
    );
    await second.done;
    const incidents = await db.alertIncident.findMany({ where: { event: "backup_failed", databaseId } });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ timesSeen: 2, resolvedAt: null });
    expect(incidents[0]!.message).toMatch(/failed and nothing was kept/);

    await sealDatabasePassword(databaseId, conn.password ?? "");
    const good = await startBackupRun(
      {
        databaseId,
        label: "manual",
        locationId,
        trigger: "manual",
        requestedBy: actor.email,
        now: new Date(Date.now() + 2000),
      },
      actor,
    );
    await good.done;
    expect((await db.run.findUniqueOrThrow({ where: { id: good.runId } })).status).toBe("succeeded");
    const after = await db.alertIncident.findUniqueOrThrow({ where: { id: incidents[0]!.id } });
    expect(after.resolvedAt).not.toBeNull();
  }, 120_000);

  test("unreachable location: the run fails saying so, and nothing is catalogued", async () => {
    const port = await closedPort();
    const location = await saveLocation(
      saveLocationSchema.parse({
        name: uniqueName(`bk-unreachable-${tag}`),
        config: {
          kind: "s3",
          bucket: "nowhere",
          region: "us-east-1",
          endpoint: `http://127.0.0.1:${port}`,
          forcePathStyle: true,
          accessKeyId: "AKIAEXAMPLE",
          secretAccessKey: "not-a-real-secret-0000",
          prefix: "",
        },
      }),
    );
    const databaseId = await databaseEntry(conn, uniqueName("bkrun-unreach"), [location.id]);
    const { runId, done } = await startBackupRun(
      { databaseId, label: "manual", locationId: location.id, trigger: "manual", requestedBy: actor.email },
      actor,
    );
    await done;
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.verdict).toMatch(/Could not reach http:\/\/127\.0\.0\.1:\d+/);
    expect(await db.backup.count({ where: { locationId: location.id } })).toBe(0);
    expect(await db.alertIncident.count({ where: { event: "backup_failed", databaseId, resolvedAt: null } })).toBe(1);
  }, 120_000);
});

test("one backup per database at a time: a second one is refused while the first runs, and says why", async () => {
  const locationId = (await freshLocation("local", `bkone-${tag}`, folders)).id;
  const databaseId = await databaseEntry(conn, uniqueName("bkrun-one"), [locationId]);
  const first = await startBackupRun(
    { databaseId, label: "manual", locationId, trigger: "manual", requestedBy: actor.email },
    actor,
  );
  const second = await startBackupRun(
    {
      databaseId,
      label: "manual",
      locationId,
      trigger: "manual",
      requestedBy: actor.email,
      now: new Date(Date.now() + 1000),
    },
    actor,
  ).catch((e: unknown) => e);
  expect(second).toBeInstanceOf(Error);
  expect((second as Error).message).toMatch(/A run is already active on .+ Nothing was started\./);
  await first.done;
  expect((await db.run.findUniqueOrThrow({ where: { id: first.runId } })).status).toBe("succeeded");
  const refused = await db.run.findFirstOrThrow({ where: { databaseId, id: { not: first.runId } } });
  expect(refused.status).toBe("cancelled");
  expect(refused.verdict).toMatch(/^Not started: A run is already active/);
  expect(await db.backup.count({ where: { databaseId } })).toBe(1);
}, 120_000);

test("a copy to an unreachable location fails the run without hanging; the backup itself is kept, and the alert says so", async () => {
  const primary = (await freshLocation("local", `bkcopyfail-${tag}`, folders)).id;
  const port = await closedPort();
  const dead = await saveLocation(
    saveLocationSchema.parse({
      name: uniqueName(`bk-deadcopy-${tag}`),
      config: {
        kind: "s3",
        bucket: "nowhere",
        region: "us-east-1",
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        accessKeyId: "AKIAEXAMPLE",
        secretAccessKey: "not-a-real-secret-0000",
        prefix: "",
      },
    }),
  );
  const databaseId = await databaseEntry(conn, uniqueName("bkrun-copyfail"), [primary]);
  const { runId, done } = await startBackupRun(
    {
      databaseId,
      label: "manual",
      locationId: primary,
      copyLocationIds: [dead.id],
      trigger: "manual",
      requestedBy: actor.email,
    },
    actor,
  );
  await done;
  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { steps: { orderBy: { index: "asc" } } },
  });
  expect(run.status).toBe("failed");
  expect(run.steps.map((s) => s.status)).toEqual(["succeeded", "failed"]);
  expect(run.verdict).toMatch(/The copy to .+ failed and nothing was kept there: Could not reach/);
  expect(await db.backup.count({ where: { databaseId, locationId: primary, vanishedAt: null } })).toBe(1);
  expect(await db.backup.count({ where: { locationId: dead.id } })).toBe(0);
  const incident = await db.alertIncident.findFirstOrThrow({ where: { event: "backup_failed", databaseId } });
  expect(incident.message).toMatch(/was stored, but a copy to another location failed/);
}, 120_000);
