import { randomUUID } from "node:crypto";
import { chmod, readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runPsqlQuery } from "@/lib/postgres/run";
import { sealDatabasePassword } from "@/tests/support/seal-password";
import { startThrowawayCluster, type ThrowawayCluster } from "@/lib/pitr/test-support";
import { refreshAllArchiveHealth, refreshArchiveHealth, storedHealth } from "@/lib/pitr/health";

// Acceptance: an archive_command made to fail (a read-only repository, in a throwaway cluster of
// this test's own) shows the failed attempts and the error on the next health reading, the WAL
// RPO turns red, and both raise alerts; once archiving works again they resolve.

let cluster: ThrowawayCluster;
let databaseId: string;
const tag = randomUUID().slice(0, 8);

async function setWritable(dir: string, writable: boolean) {
  // The repository's archive folders, read-only or writable again (root changes postgres's files).
  const walk = async (d: string): Promise<void> => {
    await chmod(d, writable ? 0o750 : 0o550);
    for (const e of await readdir(d, { withFileTypes: true })) if (e.isDirectory()) await walk(path.join(d, e.name));
  };
  await walk(dir);
}

async function waitFor(check: () => Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error("timed out");
}

beforeAll(async () => {
  cluster = await startThrowawayCluster();
  const row = await db.database.create({
    data: {
      name: `pitr-health-${tag}`,
      host: "127.0.0.1",
      port: cluster.port,
      dbName: "postgres",
      user: cluster.user,
      environment: "test",
    },
  });
  databaseId = row.id;
  await sealDatabasePassword(row.id, cluster.password);
  const a = cluster.archive();
  await db.walArchive.create({
    data: {
      databaseId,
      stanza: a.stanza,
      configPath: a.configPath,
      repoType: "posix",
      repoPath: a.repoPath,
      walRpoMinutes: 1,
    },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  if (databaseId) {
    await db.alertIncident.deleteMany({ where: { databaseId } });
    await db.database.delete({ where: { id: databaseId } }).catch(() => undefined);
  }
});

// One story in its written order: working, broken, working again.
describe("archive health with a failing archive_command", { shuffle: false }, () => {
  it("is green while archiving works", async () => {
    const conn = cluster.connection();
    // A time target is only offered from the second after the base backup's (whole-second) stop
    // stamp: a commit made within that same second is not yet a recoverable moment.
    await new Promise((r) => setTimeout(r, 2000));
    await runPsqlQuery(conn, "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
    await runPsqlQuery(conn, "SELECT pg_switch_wal()");
    await waitFor(
      async () => (await runPsqlQuery(conn, "SELECT archived_count FROM pg_stat_archiver"))[0]?.[0] !== "0",
    );
    const h = await refreshArchiveHealth(databaseId);
    expect(h.repoError).toBeNull();
    expect(h.failing).toBe(false);
    expect(h.rpo.breached).toBe(false);
    expect(h.backups).toHaveLength(1);
    expect(h.newestRecoverable).not.toBeNull();
  }, 60_000);

  it("shows failed attempts, the error and a red WAL RPO within one background pass", async () => {
    const conn = cluster.connection();
    await setWritable(path.join(cluster.repoPath, "archive"), false);
    await runPsqlQuery(conn, "INSERT INTO t SELECT generate_series(11, 20)");
    await runPsqlQuery(conn, "SELECT pg_switch_wal()");
    await waitFor(async () => (await runPsqlQuery(conn, "SELECT failed_count FROM pg_stat_archiver"))[0]?.[0] !== "0");

    // The background pass (what the minute timer runs), then what the page reads.
    await refreshAllArchiveHealth();
    const archive = await db.walArchive.findUniqueOrThrow({ where: { databaseId } });
    const h = storedHealth(archive);
    expect(h?.failing).toBe(true);
    expect(h?.archiver?.failedCount).toBeGreaterThan(0);
    expect(h?.archiver?.lastFailedWal).toMatch(/^[0-9A-F]{24}$/);
    expect(h?.lastError?.message).toMatch(/Permission denied|unable to/i);

    // Two minutes on, the newest archived WAL is beyond the 1-minute WAL RPO while more was written.
    const later = await refreshArchiveHealth(databaseId, new Date(Date.now() + 2 * 60_000));
    expect(later.rpo.breached).toBe(true);
    expect(later.rpo.pendingBytes).toBeGreaterThan(0);
    const open = await db.alertIncident.findMany({
      where: { databaseId, openKey: { not: null } },
      select: { event: true },
    });
    expect(open.map((o) => o.event).sort()).toEqual(["wal_archive_failing", "wal_rpo_breached"]);
  }, 90_000);

  it("turns green again and resolves the alerts when archiving works", async () => {
    const conn = cluster.connection();
    await setWritable(path.join(cluster.repoPath, "archive"), true);
    // After three failed tries the archiver sleeps up to a minute; a newly finished WAL segment wakes
    // it at once (as any write would on a live server), so the test need not wait out that minute.
    await runPsqlQuery(conn, "INSERT INTO t SELECT generate_series(21, 30)");
    await runPsqlQuery(conn, "SELECT pg_switch_wal()");
    await waitFor(async () => {
      const [r] = await runPsqlQuery(conn, "SELECT last_archived_time >= last_failed_time FROM pg_stat_archiver");
      return r?.[0] === "t";
    }, 90_000);
    const h = await refreshArchiveHealth(databaseId);
    expect(h.failing).toBe(false);
    expect(h.rpo.breached).toBe(false);
    const open = await db.alertIncident.count({ where: { databaseId, openKey: { not: null } } });
    expect(open).toBe(0);
  }, 120_000);
});
