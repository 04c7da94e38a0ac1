import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import { saveLocation } from "@/lib/locations/mutations";
import { saveDatabase } from "@/lib/databases/mutations";
import { saveDatabaseSchema } from "@/lib/databases/schemas";
import { saveLocationSchema } from "@/lib/locations/schemas";
import { beginSync } from "@/lib/catalog/sync";
import { stamp, startPrivateS3 } from "@/tests/support/s3";

// Integration: a real S3 server (s3rver, this file's own, since one test stops it), a real
// folder, Lifeboat's real SQLite database.

let s3: Awaited<ReturnType<typeof startPrivateS3>>;
const bucket = `sync-${Date.now()}`;
const DAY = 86_400_000;
const start = Date.UTC(2022, 0, 1, 2, 0, 0);
const N = 1200;
const keyOf = (i: number) => `prod/amani_backup_${stamp(new Date(start + i * DAY))}.sql.gz`;
let s3Id: string;
let localId: string;
let databaseId: string;
let folder: string;

async function sync(locationId: string, pageSize?: number) {
  const { runId, done } = await beginSync(locationId, "manual", { pageSize });
  await done;
  return db.syncRun.findUniqueOrThrow({ where: { id: runId } });
}

const present = (locationId: string) => db.backup.count({ where: { locationId, vanishedAt: null } });

beforeAll(async () => {
  s3 = await startPrivateS3();
  await s3.createBucket(bucket);
  await s3.putMany(
    bucket,
    Array.from({ length: N }, (_, i) => ({ key: keyOf(i), body: `backup ${i}` })),
  );
  await s3.put(bucket, "prod/notes.txt", "not a backup but still an object");
  const manifested = keyOf(N - 1);
  await s3.put(
    bucket,
    `${manifested}.manifest.json`,
    JSON.stringify({
      lifeboat: 1,
      sha256: "a".repeat(64),
      size: 10,
      format: "plain_gzip",
      database: "amani",
      serverVersion: "15.18",
      pgDumpVersion: "15.18",
      createdAt: new Date(start + (N - 1) * DAY).toISOString(),
      migrationHead: "abc123",
      critical: true,
      tables: [{ schema: "public", name: "users", rows: 1000 }],
    }),
  );
  await s3.put(bucket, `${keyOf(N - 2)}.manifest.json`, "{ not json");

  folder = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-sync-local-"));
  for (let i = 0; i < 5; i++)
    fs.writeFileSync(path.join(folder, `local_backup_2026010${i + 1}_020000.dump`), "x".repeat(100 + i));

  s3Id = (
    await saveLocation(
      saveLocationSchema.parse({
        name: `s3-${bucket}`,
        config: {
          kind: "s3",
          bucket,
          region: s3.region,
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
          prefix: "prod/",
        },
      }),
    )
  ).id;
  localId = (
    await saveLocation(
      saveLocationSchema.parse({ name: `local-${bucket}`, config: { kind: "local", path: folder, prefix: "" } }),
    )
  ).id;
  databaseId = (
    await saveDatabase(
      saveDatabaseSchema.parse({
        name: `amani-${bucket}`,
        environment: "production",
        host: "127.0.0.1",
        dbName: "amani",
        user: "x",
        sslmode: "disable",
        sources: [{ locationId: s3Id, patterns: "amani_backup_*" }],
      }),
    )
  ).id;
}, 120_000);

afterAll(async () => {
  fs.rmSync(folder, { recursive: true, force: true });
  await s3?.dispose();
});

// One story in order (first sync, re-sync, outage, overlap): each test starts from the state the
// one before it left, so this suite is not shuffled (files still are).
describe("catalog sync against a real S3 server", { shuffle: false }, () => {
  test("the first sync catalogues every object page by page, with names, manifests and databases", async () => {
    // The planner's statistics are forgotten: the sync that adds rows gathers them again. The
    // connection keeps what it last read of them in memory (another test file may have analyzed
    // the shared database with many backups in it, so that 251 more look like no change):
    // ANALYZE sqlite_master makes it read the emptied table again.
    const statTable = await db.$queryRawUnsafe<unknown[]>(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
    );
    if (statTable.length > 0) {
      await db.$executeRawUnsafe("DELETE FROM sqlite_stat1");
      await db.$executeRawUnsafe("ANALYZE sqlite_master");
    }
    const run = await sync(s3Id, 250);
    expect(run.status).toBe("ok");
    const stats = await db.$queryRawUnsafe<{ idx: string | null }[]>(
      "SELECT idx FROM sqlite_stat1 WHERE tbl = 'Backup'",
    );
    expect(stats.map((r) => r.idx)).toContain("Backup_databaseId_takenAt_idx");
    expect(run.added).toBe(N + 1);
    expect(run.pages).toBeGreaterThanOrEqual(Math.ceil(N / 250));
    expect(await present(s3Id)).toBe(N + 1);
    expect(await db.backup.count({ where: { locationId: s3Id, key: { endsWith: ".manifest.json" } } })).toBe(0);

    const last = await db.backup.findUniqueOrThrow({
      where: { locationId_key: { locationId: s3Id, key: keyOf(N - 1) } },
    });
    expect(last.takenAt.toISOString()).toBe(new Date(start + (N - 1) * DAY).toISOString());
    expect(last.takenAtSource).toBe("name");
    expect(last.critical).toBe(true);
    expect(last.databaseId).toBe(databaseId);
    expect(JSON.parse(last.manifest!).migrationHead).toBe("abc123");

    const broken = await db.backup.findUniqueOrThrow({
      where: { locationId_key: { locationId: s3Id, key: keyOf(N - 2) } },
    });
    expect(broken.manifest).toBeNull();
    expect(broken.manifestError).toMatch(/not valid JSON/);

    const notes = await db.backup.findUniqueOrThrow({
      where: { locationId_key: { locationId: s3Id, key: "prod/notes.txt" } },
    });
    expect(notes.databaseId).toBeNull();
    expect(notes.takenAtSource).toBe("modified");
  });

  test("a second sync with nothing changed writes nothing; deletions are marked vanished and kept", async () => {
    const again = await sync(s3Id);
    expect([again.added, again.changed, again.vanished]).toEqual([0, 0, 0]);

    await s3.del(bucket, keyOf(0));
    await s3.del(bucket, keyOf(1));
    await s3.put(bucket, keyOf(2), "rewritten with other bytes");
    await s3.put(bucket, "prod/amani_backup_20300101_020000.sql.gz", "new");
    const run = await sync(s3Id);
    expect(run.status).toBe("ok");
    expect([run.added, run.changed, run.vanished]).toEqual([1, 1, 2]);
    const gone = await db.backup.findUniqueOrThrow({ where: { locationId_key: { locationId: s3Id, key: keyOf(0) } } });
    expect(gone.vanishedAt).not.toBeNull();
    expect(await db.backup.count({ where: { locationId: s3Id } })).toBe(N + 2);
  });

  test("stopping the S3 server mid-sync: an error on that location, the others still sync, nothing lost, and the next sync recovers", async () => {
    const before = await present(s3Id);

    const { runId, done } = await beginSync(s3Id, "manual", { pageSize: 20 });
    // Wait until the sync is a few pages in, then take the server away.
    for (let i = 0; i < 500; i++) {
      const r = await db.syncRun.findUniqueOrThrow({ where: { id: runId } });
      if (r.pages >= 3) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    await s3.stop();
    const localRun = await sync(localId);
    await done;
    const failed = await db.syncRun.findUniqueOrThrow({ where: { id: runId } });

    try {
      expect(failed.status).toBe("error");
      expect(failed.error).toMatch(/reach|connect|refused|unreachable/i);
      expect(failed.error).not.toContain(s3.secretAccessKey);
      expect(failed.pages).toBeGreaterThanOrEqual(3);
      expect(await present(s3Id)).toBe(before);
      expect(localRun.status).toBe("ok");
      expect(await present(localId)).toBe(5);
    } finally {
      await s3.start();
    }

    const recovered = await sync(s3Id);
    expect(recovered.status).toBe("ok");
    expect([recovered.added, recovered.vanished]).toEqual([0, 0]);
    expect(await present(s3Id)).toBe(before);
  });

  test("a second sync of the same location while one runs is refused", async () => {
    const first = await beginSync(localId, "manual");
    await expect(beginSync(localId, "manual")).rejects.toThrow(/already running/);
    await first.done;
  });
});
