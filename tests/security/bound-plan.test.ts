import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { seal } from "@/lib/crypto/key";
import { db } from "@/lib/db";
import { saveLocation } from "@/lib/locations/mutations";
import { saveLocationSchema } from "@/lib/locations/schemas";
import { fullConfig } from "@/lib/locations/config";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import { storedBinding } from "@/lib/restores/binding";
import { databasesStartingWith } from "@/lib/restores/test-support";
import { confirmRunCommand, prepareRunCommand, resumeRunCommand } from "@/lib/restores/commands";
import { drainExecutions } from "@/lib/runner/execute";
import { parseStoredPlan } from "@/lib/runner/plan";
import { createStorage } from "@/lib/storage/create-storage";
import { testS3 } from "@/tests/support/s3";

// A confirmed plan is bound to the exact backup object (size, etag, sha256) and to the
// target's host, port and database. A dump swapped in the bucket after the operator confirmed
// (even with the same size and modification time, so that a local folder's etag stays the
// same) must not be restored: the download compares the bytes it got with the bound sha256.
// A resumed run compares the catalog's view (after a sync) and the bucket again, and a target
// whose connection was changed after the confirmation is refused too. Real runs: Lifeboat's
// database, local and S3 locations, a real PostgreSQL target (the preflight runs against it).

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomBytes(4).toString("hex");
const bucket = `bound-${tag}`;
let dir = "";
let pgName = "";
let pgPort = 0;
let operator: SessionUser;
let databaseId = "";
let localId = "";
let s3Id = "";
const s3 = testS3();
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-bound-"));
  const conn = await createFixtureDatabase("bound");
  pgName = conn.database;
  pgPort = conn.port;
  const u = await db.user.create({ data: { email: `bound-${tag}@example.test`, name: "op", role: "operator" } });
  operator = { id: u.id, email: u.email, name: u.name, role: "operator" };
  localId = (
    await saveLocation(
      saveLocationSchema.parse({ name: `bound-local-${tag}`, config: { kind: "local", path: dir, prefix: "" } }),
    )
  ).id;
  await s3.createBucket(bucket);
  s3Id = (
    await saveLocation(
      saveLocationSchema.parse({
        name: `bound-s3-${tag}`,
        config: {
          kind: "s3",
          bucket,
          region: s3.region,
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
          prefix: "",
        },
      }),
    )
  ).id;
  databaseId = (
    await db.database.create({
      data: {
        name: `bound-${tag}`,
        environment: "staging",
        host: conn.host,
        port: conn.port,
        dbName: conn.database,
        user: conn.user,
        passwordEnc: seal(conn.password ?? ""),
        sslmode: "disable",
      },
    })
  ).id;
}, 120_000);

afterAll(async () => {
  await drainExecutions();
  await db.run.deleteMany({ where: { databaseId } });
  await db.location.deleteMany({ where: { id: { in: [localId, s3Id] } } });
  await db.database.deleteMany({ where: { id: databaseId } });
  if (pgName) await dropDatabase(pgName);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  session.user = operator;
});

/** A plain dump of `n` bytes whose content depends on `seed`. */
function dump(seed: string, n = 4096): Buffer {
  const head = `-- PostgreSQL database dump (${seed})\nSELECT 1;\n`;
  return Buffer.from(head + "-".repeat(n - head.length - 1) + "\n");
}

let counter = 0;
const MTIME = new Date("2026-11-01T02:00:00Z");

/** Puts `bytes` in the location and catalogs it as a verified backup of the target (as a sync and a verification would). */
async function catalogued(locationId: string, bytes: Buffer): Promise<{ backupId: string; key: string }> {
  counter++;
  const key = `bound_backup_20261101_0200${String(counter).padStart(2, "0")}.sql`;
  if (locationId === localId) {
    fs.writeFileSync(path.join(dir, key), bytes);
    // Whole seconds, so that a swap can put back exactly the same modification time.
    fs.utimesSync(path.join(dir, key), MTIME, MTIME);
  } else await s3.put(bucket, key, bytes);
  const location = await db.location.findUniqueOrThrow({ where: { id: locationId } });
  const st = await createStorage(fullConfig(location)).stat(key);
  const takenAt = new Date("2026-11-01T02:00:00Z");
  const backup = await db.backup.create({
    data: {
      locationId,
      key,
      size: BigInt(st.size),
      etag: st.etag,
      lastModified: st.lastModified,
      takenAt,
      takenAtSource: "name",
      format: "plain",
      kind: "scheduled",
      databaseId,
      weekday: takenAt.getUTCDay(),
      dayOfMonth: takenAt.getUTCDate(),
      verificationState: "verified",
      lastVerifiedAt: takenAt,
      verificationSummary: "ok",
    },
  });
  await db.verification.create({
    data: { backupId: backup.id, status: "passed", requestedBy: "test", sha256: sha(bytes), finishedAt: takenAt },
  });
  return { backupId: backup.id, key };
}

async function prepare(backupId: string): Promise<{ runId: string; planHash: string }> {
  const r = await prepareRunCommand({ scenarioId: "database-corruption", databaseId, backupId });
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  const runId = (r as { ok: true; data: { runId: string } }).data.runId;
  const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
  return { runId, planHash: run.planHash };
}

async function confirm(runId: string, planHash: string) {
  const r = await confirmRunCommand({ runId, typedName: pgName, planHash });
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  await drainExecutions();
}

async function resume(runId: string) {
  const r = await resumeRunCommand({ runId });
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  await drainExecutions();
}

async function outcome(runId: string) {
  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { steps: { orderBy: { index: "asc" } } },
  });
  const download = run.steps.find((s) => s.key === "download");
  return { status: run.status, verdict: run.verdict ?? "", download: download?.status, error: download?.error ?? "" };
}

/** Replaces the local file with other bytes of the same size and the same modification time (same etag). */
function swapLocal(key: string, bytes: Buffer) {
  const file = path.join(dir, key);
  fs.writeFileSync(file, bytes);
  fs.utimesSync(file, MTIME, MTIME);
}

describe("a plan bound to its backup and target", () => {
  test("the confirmed plan records the backup's sha256, etag and size and the target's host, port and database", async () => {
    const original = dump("bound-record");
    const { backupId } = await catalogued(localId, original);
    const { runId } = await prepare(backupId);
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(storedBinding(parseStoredPlan(run.plan))).toMatchObject({
      backup: { size: original.length, sha256: sha(original), sha256From: "verification" },
      target: { host: "127.0.0.1", port: pgPort, database: pgName },
    });
    expect(storedBinding(parseStoredPlan(run.plan))?.backup.etag).toMatch(/^4096-\d+$/);
  });

  test("planning runs the preflight only: nothing is downloaded and no scratch database is made before the confirmation", async () => {
    const { backupId } = await catalogued(localId, dump("plan-preview"));
    const { runId } = await prepare(backupId);
    // Whatever a preflight might have started in the background would be under way by now.
    await new Promise((r) => setTimeout(r, 1500));
    const plan = parseStoredPlan((await db.run.findUniqueOrThrow({ where: { id: runId } })).plan);
    const summary = plan.summary as { workDir: string; scratchDatabase: string; preflight: { lines: string[] } };
    expect(summary.preflight.lines.join("\n")).not.toMatch(/alongside/);
    expect(fs.existsSync(summary.workDir)).toBe(false);
    expect(await databasesStartingWith(summary.scratchDatabase)).toEqual([]);
  }, 60_000);

  test("local: a dump swapped after confirmation (same size, same mtime, same etag) is refused by the download's sha256", async () => {
    const original = dump("local-original");
    const swapped = dump("local-SWAPPED");
    const { backupId, key } = await catalogued(localId, original);
    const { runId, planHash } = await prepare(backupId);
    swapLocal(key, swapped);
    await confirm(runId, planHash);
    const o = await outcome(runId);
    expect(o.status).toBe("failed");
    expect(o.download).toBe("failed");
    expect(o.error).toContain(
      `The backup in the bucket changed since the plan you confirmed was made: the downloaded bytes' sha256 is ${sha(swapped)}, the plan was confirmed for ${sha(original)} (Lifeboat's verification)`,
    );
    expect(o.error).toMatch(/plan the restore again/);
    // Nothing of the swapped dump is left on the console's disk.
    const summary = parseStoredPlan((await db.run.findUniqueOrThrow({ where: { id: runId } })).plan).summary;
    expect(fs.existsSync(String(summary.workDir))).toBe(false);
  }, 60_000);

  test("S3: an object replaced after confirmation is refused (its etag changed) before anything is downloaded", async () => {
    const original = dump("s3-original");
    const { backupId, key } = await catalogued(s3Id, original);
    const { runId, planHash } = await prepare(backupId);
    await s3.put(bucket, key, dump("s3-SWAPPED"));
    await confirm(runId, planHash);
    const o = await outcome(runId);
    expect(o.status).toBe("failed");
    expect(o.error).toMatch(
      /^The backup in the bucket changed since the plan you confirmed was made: its etag is now .+, the plan was confirmed for .+\. Nothing was restored from it/,
    );
  }, 60_000);

  test("resume: a dump swapped and synced into the catalog after confirmation is refused before any step runs", async () => {
    const original = dump("resume-synced");
    const { backupId, key } = await catalogued(localId, original);
    const { runId, planHash } = await prepare(backupId);
    // The download fails for a reason of its own (the file is briefly gone): the run can be resumed.
    fs.renameSync(path.join(dir, key), path.join(dir, `${key}.away`));
    await confirm(runId, planHash);
    expect(await outcome(runId)).toMatchObject({ status: "failed", download: "failed" });
    // Meanwhile someone puts other bytes there, and a sync records the change.
    const other = dump("resume-synced-OTHER", 5000);
    fs.writeFileSync(path.join(dir, key), other);
    const st = fs.statSync(path.join(dir, key));
    await db.backup.update({
      where: { id: backupId },
      data: { size: BigInt(st.size), etag: `${st.size}-${Math.trunc(st.mtimeMs)}`, verificationState: "not_verified" },
    });
    await resume(runId);
    const o = await outcome(runId);
    expect(o.status).toBe("failed");
    expect(o.verdict).toMatch(
      /^The plan could not be prepared, so nothing more was run: The backup in the bucket changed since the plan you confirmed was made: its size is now 5000 bytes, the plan was confirmed for 4096 bytes; its etag is now 5000-\d+, the plan was confirmed for 4096-\d+\./,
    );
  }, 60_000);

  test("resume: a dump swapped without a sync is refused by the download step", async () => {
    const original = dump("resume-unsynced");
    const { backupId, key } = await catalogued(localId, original);
    const { runId, planHash } = await prepare(backupId);
    fs.renameSync(path.join(dir, key), path.join(dir, `${key}.away`));
    await confirm(runId, planHash);
    expect(await outcome(runId)).toMatchObject({ status: "failed", download: "failed" });
    fs.writeFileSync(path.join(dir, key), dump("resume-unsynced-OTHER", 4000));
    await resume(runId);
    const o = await outcome(runId);
    expect(o).toMatchObject({ status: "failed", download: "failed" });
    expect(o.error).toMatch(
      /^The backup in the bucket changed since the plan you confirmed was made: its size is now 4000 bytes, the plan was confirmed for 4096 bytes/,
    );
  }, 60_000);

  test("a target whose port was changed after confirmation is refused at resume, with both addresses", async () => {
    const { backupId, key } = await catalogued(localId, dump("target-moved"));
    const { runId, planHash } = await prepare(backupId);
    fs.renameSync(path.join(dir, key), path.join(dir, `${key}.away`));
    await confirm(runId, planHash);
    expect(await outcome(runId)).toMatchObject({ status: "failed", download: "failed" });
    fs.renameSync(path.join(dir, `${key}.away`), path.join(dir, key));
    await db.database.update({ where: { id: databaseId }, data: { port: pgPort + 1 } });
    try {
      await resume(runId);
    } finally {
      await db.database.update({ where: { id: databaseId }, data: { port: pgPort } });
    }
    const o = await outcome(runId);
    expect(o.status).toBe("failed");
    expect(o.verdict).toBe(
      `The plan could not be prepared, so nothing more was run: The target's connection changed since the plan you confirmed was made: it was ${pgName} on 127.0.0.1:${pgPort}, it is now ${pgName} on 127.0.0.1:${pgPort + 1}. Change the database back in Settings → Databases to continue this run, or cancel it and plan the restore again.`,
    );
  }, 60_000);
});
