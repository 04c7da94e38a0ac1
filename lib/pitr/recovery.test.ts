import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { db } from "@/lib/db";
import { recoveryRootDir } from "@/lib/env";
import { runPsqlQuery } from "@/lib/postgres/run";
import { pitrConnection } from "@/lib/pitr/test-support";
import { newInstanceId } from "./recovery-files";
import {
  listRecoveryInstances,
  recoveryConnection,
  removeRecoveryInstance,
  startRecoveryInstance,
  stopRecoveryInstance,
  sweepRecoveryInstances,
  type RecoveryTarget,
} from "./recovery";
import { archivedTestDatabase, newestBaseBackupBefore, switchWalAndWait } from "./recovery-test-support";

// The recovery engine against the real archiving cluster (never stopped or reconfigured here):
// rows inserted, a moment noted, rows deleted, the WAL switched and archived; a recovery instance
// restored from the repository to that moment has the rows back, production still has them deleted.

const started: string[] = [];
const tmpDirs: string[] = [];

afterAll(async () => {
  for (const id of started) await removeRecoveryInstance(id).catch(() => {});
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function countIn(conn: Parameters<typeof runPsqlQuery>[0], table: string): Promise<number> {
  return Number((await runPsqlQuery(conn, `SELECT count(*) FROM ${table}`))[0]?.[0]);
}

/** Inserts 100 rows, returns what `mark` says about that moment, deletes 40 of them, archives the WAL. */
async function insertMarkDelete<T>(conn: Parameters<typeof runPsqlQuery>[0], table: string, mark: () => Promise<T>) {
  await runPsqlQuery(conn, `CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
  await runPsqlQuery(conn, `INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 100) g`);
  const at = await mark();
  await runPsqlQuery(conn, `DELETE FROM ${table} WHERE id > 60`);
  await switchWalAndWait(conn);
  expect(await countIn(conn, table)).toBe(60);
  return at;
}

async function recover(databaseId: string, target: RecoveryTarget, before: Date, logs?: string[]) {
  const label = await newestBaseBackupBefore(before);
  const p = startRecoveryInstance({
    databaseId,
    runId: null,
    target,
    baseBackupLabel: label,
    onLog: (stream, line) => logs?.push(`${stream}: ${line}`),
  });
  const r = await p;
  started.push(r.instanceId);
  return r;
}

test("a time target brings deleted rows back in a recovery instance; production is untouched; removal stops it and deletes its folder", async () => {
  const { databaseId, conn } = await archivedTestDatabase("rec_time");
  const before = new Date();
  const at = await insertMarkDelete(conn, "items", async () => {
    // The moment after the insert committed, and clearly before the delete.
    const [[now = ""] = []] = await runPsqlQuery(
      conn,
      "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    );
    await new Promise((r) => setTimeout(r, 300));
    return now;
  });
  const logs: string[] = [];
  const t0 = Date.now();
  const r = await recover(databaseId, { kind: "time", at }, before, logs);
  const ms = Date.now() - t0;

  const row = await db.recoveryInstance.findUniqueOrThrow({ where: { id: r.instanceId } });
  expect(row.status).toBe("ready");
  expect(row.pid).toBeGreaterThan(0);
  expect(r.dataDir).toBe(path.join(recoveryRootDir(), r.instanceId, "data"));
  expect(logs.some((l) => /restore command end: completed successfully/.test(l))).toBe(true);

  const rc = await recoveryConnection(r.instanceId, conn.database);
  expect(rc).toMatchObject({ host: "127.0.0.1", port: r.port, user: conn.user, database: conn.database });
  expect(await countIn(rc, "items")).toBe(100);
  expect((await runPsqlQuery(rc, "SELECT pg_is_in_recovery()"))[0]?.[0]).toBe("f");
  // It never archives into production's repository, and listens on 127.0.0.1 only.
  const settings = await runPsqlQuery(
    rc,
    "SELECT name, setting FROM pg_settings WHERE name IN ('archive_mode','listen_addresses','port','ssl') ORDER BY name",
  );
  expect(settings).toEqual([
    ["archive_mode", "off"],
    ["listen_addresses", "127.0.0.1"],
    ["port", String(r.port)],
    ["ssl", "off"],
  ]);
  // Production still has the delete.
  expect(await countIn(conn, "items")).toBe(60);
  expect((await runPsqlQuery(pitrConnection(), "SELECT pg_is_in_recovery()"))[0]?.[0]).toBe("f");

  const listed = (await listRecoveryInstances()).find((i) => i.id === r.instanceId);
  expect(listed).toMatchObject({
    status: "ready",
    alive: true,
    host: "127.0.0.1",
    port: r.port,
    dbName: conn.database,
    user: conn.user,
  });
  expect(JSON.stringify(listed)).not.toContain(conn.password);

  const removed = await removeRecoveryInstance(r.instanceId);
  expect(removed).toEqual({ removed: true, folderDeleted: true });
  expect(fs.existsSync(path.dirname(r.dataDir))).toBe(false);
  expect((await db.recoveryInstance.findUniqueOrThrow({ where: { id: r.instanceId } })).status).toBe("removed");
  await expect(runPsqlQuery(rc, "SELECT 1")).rejects.toThrow(/refused|could not connect/i);
  // Idempotent.
  expect(await removeRecoveryInstance(r.instanceId)).toEqual({ removed: false, folderDeleted: false });
  expect((await listRecoveryInstances()).some((i) => i.id === r.instanceId)).toBe(false);
  console.log(`[recovery test] time target: ready in ${ms} ms`);
}, 300_000);

test("an LSN target and a named restore point each bring the rows back", async () => {
  const { databaseId, conn } = await archivedTestDatabase("rec_lsn");
  const before = new Date();
  const lsn = await insertMarkDelete(
    conn,
    "by_lsn",
    async () => (await runPsqlQuery(conn, "SELECT pg_current_wal_insert_lsn()"))[0]?.[0] ?? "",
  );
  const name = `h4-before-delete-${Date.now().toString(36)}`;
  await insertMarkDelete(conn, "by_name", async () => runPsqlQuery(conn, `SELECT pg_create_restore_point('${name}')`));

  const a = await recover(databaseId, { kind: "lsn", lsn }, before);
  const ca = await recoveryConnection(a.instanceId, conn.database);
  expect(await countIn(ca, "by_lsn")).toBe(100);
  await removeRecoveryInstance(a.instanceId);

  const b = await recover(databaseId, { kind: "name", name }, before);
  const cb = await recoveryConnection(b.instanceId, conn.database);
  expect(await countIn(cb, "by_lsn")).toBe(60);
  expect(await countIn(cb, "by_name")).toBe(100);
  await stopRecoveryInstance(b.instanceId);
  expect((await listRecoveryInstances()).find((i) => i.id === b.instanceId)).toMatchObject({
    status: "stopped",
    alive: false,
  });
  await removeRecoveryInstance(b.instanceId);
}, 400_000);

test("a target past the newest recoverable moment fails with PostgreSQL's reason and stays listed as failed, and removable", async () => {
  const { databaseId, conn } = await archivedTestDatabase("rec_past");
  const before = new Date();
  await insertMarkDelete(conn, "past", async () => null);
  const future = new Date(Date.now() + 3600_000).toISOString();
  const label = await newestBaseBackupBefore(before);
  let instanceId = "";
  const err = await startRecoveryInstance({
    databaseId,
    runId: null,
    target: { kind: "time", at: future },
    baseBackupLabel: label,
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  const message = (err as Error).message;
  expect(message).toMatch(/recovery ended before configured recovery target was reached/);
  expect(message).toMatch(/Switch WAL now/);
  const failed = (await listRecoveryInstances()).find((i) => i.databaseId === databaseId);
  expect(failed).toMatchObject({ status: "failed", alive: false });
  expect(failed?.note).toMatch(/recovery ended before configured recovery target was reached/);
  instanceId = failed!.id;
  started.push(instanceId);
  expect(fs.existsSync(failed!.dataDir)).toBe(true);
  expect(await removeRecoveryInstance(instanceId)).toEqual({ removed: true, folderDeleted: true });
  expect(fs.existsSync(path.dirname(failed!.dataDir))).toBe(false);
}, 300_000);

test("hostile targets are refused before anything is written", async () => {
  const { databaseId } = await archivedTestDatabase("rec_hostile");
  for (const target of [
    { kind: "name", name: "x'; archive_command='touch /tmp/pwned" },
    { kind: "lsn", lsn: "0/1\nrecovery_target_action='shutdown'" },
    { kind: "time", at: "2026-12-01 10:00:00+00' -- " },
  ]) {
    await expect(
      startRecoveryInstance({
        databaseId,
        runId: null,
        target: target as RecoveryTarget,
        baseBackupLabel: "20261201-224133F",
      }),
    ).rejects.toThrow();
  }
  await expect(
    startRecoveryInstance({ databaseId, runId: null, target: { kind: "immediate" }, baseBackupLabel: "--delta" }),
  ).rejects.toThrow(/not a pgBackRest backup label/);
  expect(await db.recoveryInstance.count({ where: { databaseId } })).toBe(0);
});

const anyTarget = JSON.stringify({
  target: { kind: "immediate" },
  baseBackupLabel: "20261201-224133F",
  pgBinDir: null,
});

test("a row whose data directory was changed to point elsewhere is never stopped or deleted", async () => {
  const { databaseId } = await archivedTestDatabase("rec_tamper");
  // Someone else's folder, with a file in it.
  const victim = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-not-recovery-"));
  tmpDirs.push(victim);
  fs.mkdirSync(path.join(victim, "data"));
  fs.writeFileSync(path.join(victim, "data", "precious.txt"), "keep me");
  fs.writeFileSync(path.join(victim, "lifeboat-recovery.json"), JSON.stringify({ instanceId: "whatever" }));

  const id = newInstanceId();
  await db.recoveryInstance.create({
    data: { id, databaseId, dataDir: path.join(victim, "data"), port: 5999, status: "failed", target: anyTarget },
  });
  await expect(removeRecoveryInstance(id)).rejects.toThrow(/refuses to stop or delete/);
  await expect(stopRecoveryInstance(id)).rejects.toThrow(/refuses to stop or delete/);
  expect(fs.readFileSync(path.join(victim, "data", "precious.txt"), "utf8")).toBe("keep me");
  expect((await db.recoveryInstance.findUniqueOrThrow({ where: { id } })).status).toBe("failed");

  // The right place, but a folder Lifeboat did not make for this instance (no marker naming it).
  const id2 = newInstanceId();
  const dir2 = path.join(recoveryRootDir(), id2);
  fs.mkdirSync(path.join(dir2, "data"), { recursive: true });
  tmpDirs.push(dir2);
  fs.writeFileSync(path.join(dir2, "data", "precious.txt"), "keep me too");
  fs.writeFileSync(path.join(dir2, "lifeboat-recovery.json"), JSON.stringify({ instanceId: id }));
  await db.recoveryInstance.create({
    data: { id: id2, databaseId, dataDir: path.join(dir2, "data"), port: 5999, status: "failed", target: anyTarget },
  });
  await expect(removeRecoveryInstance(id2)).rejects.toThrow(/no lifeboat-recovery.json naming this instance/);
  expect(fs.existsSync(path.join(dir2, "data", "precious.txt"))).toBe(true);

  // A symbolic link in its place, to someone else's folder.
  const id3 = newInstanceId();
  const dir3 = path.join(recoveryRootDir(), id3);
  fs.symlinkSync(victim, dir3);
  tmpDirs.push(dir3);
  await db.recoveryInstance.create({
    data: { id: id3, databaseId, dataDir: path.join(dir3, "data"), port: 5999, status: "failed", target: anyTarget },
  });
  await expect(removeRecoveryInstance(id3)).rejects.toThrow(/is not a plain folder/);
  expect(fs.readFileSync(path.join(victim, "data", "precious.txt"), "utf8")).toBe("keep me");
});

test("the sweep marks instances whose driver is gone interrupted (never deletes them) and removes those whose keep time passed", async () => {
  const { databaseId } = await archivedTestDatabase("rec_sweep");
  const orphan = newInstanceId();
  await db.recoveryInstance.create({
    data: {
      id: orphan,
      databaseId,
      dataDir: path.join(recoveryRootDir(), orphan, "data"),
      port: 5998,
      status: "recovering",
      target: JSON.stringify({ target: { kind: "immediate" }, baseBackupLabel: "20261201-224133F", pgBinDir: null }),
    },
  });
  const expired = newInstanceId();
  await db.recoveryInstance.create({
    data: {
      id: expired,
      databaseId,
      dataDir: path.join(recoveryRootDir(), expired, "data"),
      port: 5997,
      status: "ready",
      keepUntil: new Date(Date.now() - 1000),
      target: JSON.stringify({ target: { kind: "immediate" }, baseBackupLabel: "20261201-224133F", pgBinDir: null }),
    },
  });
  const swept = await sweepRecoveryInstances();
  expect(swept.interrupted).toContain(orphan);
  expect(swept.removed).toContain(expired);
  const listed = await listRecoveryInstances({ databaseId });
  expect(listed.map((i) => [i.id, i.status])).toEqual([[orphan, "interrupted"]]);
  expect(listed[0]?.note).toMatch(/console stopped while this instance was recovering/);
  expect(await removeRecoveryInstance(orphan)).toEqual({ removed: true, folderDeleted: false });
});
