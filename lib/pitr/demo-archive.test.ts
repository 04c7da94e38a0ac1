import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/lib/db";
import { archiveHealthSchema, refreshAllArchiveHealth, refreshArchiveHealth } from "@/lib/pitr/health";
import { checkArchive, createRestorePoint, switchWal } from "@/lib/pitr/mutations";
import { pgbackrestArgv } from "@/lib/pitr/pgbackrest";
import { walArchiveVerdicts, walArchiveView } from "@/lib/pitr/queries";
import { readRecoverableWindow } from "@/lib/pitr/window";
import { DEMO_ARCHIVE_REFUSAL, demoArchiveHealth, isDemoArchive } from "./demo-archive";

// The demo's sample WAL archive: its made-up reading renders (health, base backups, timeline),
// and nothing pretends to run pgBackRest for it: every action says it is a demo, and the
// background health check leaves the sample alone.

const now = new Date("2026-12-02T01:00:00.000Z");
let databaseId = "";

beforeAll(async () => {
  const database = await db.database.create({
    data: {
      name: `demo-archive-${randomBytes(3).toString("hex")}`,
      host: "127.0.0.1",
      port: 1,
      dbName: "amani",
      user: "lifeboat",
    },
  });
  databaseId = database.id;
  await db.walArchive.create({
    data: {
      databaseId,
      stanza: "amani-demo",
      repoType: "posix",
      repoPath: "/var/lib/pgbackrest",
      repoOptions: JSON.stringify({ demo: true }),
      lastHealth: JSON.stringify(demoArchiveHealth(now)),
      lastCheckedAt: now,
    },
  });
});
afterAll(async () => {
  await db.database.delete({ where: { id: databaseId } }).catch(() => {});
});

test("the sample reading is a valid, healthy one: three base backups, WAL up to two minutes ago", () => {
  const h = archiveHealthSchema.parse(demoArchiveHealth(now));
  expect(h.backups.map((b) => b.type)).toEqual(["full", "diff", "incr"]);
  expect(h.backups.map((b) => b.label)).toEqual([
    "20261126-010000F",
    "20261126-010000F_20261129-010000D",
    "20261126-010000F_20261201-010000I",
  ]);
  expect(h.newestRecoverable).toBe("2026-12-02T00:57:52.999Z");
  expect(h.from).toBe("2026-11-26T01:38:01.000Z");
  expect(h.failing || h.rpo.breached || h.repoError !== null).toBe(false);
  expect(h.walMin! < h.walMax!).toBe(true);
});

test("the page and the dashboard read it as a demo archive", async () => {
  const view = await walArchiveView(databaseId);
  expect(view.settings?.options.demo).toBe(true);
  expect(view.verdict.state).toBe("ok");
  expect(view.health?.backups).toHaveLength(3);
  const row = (await walArchiveVerdicts()).find((r) => r.databaseId === databaseId);
  expect(row?.demo).toBe(true);
  expect(isDemoArchive({ repoOptions: "{}" })).toBe(false);
});

test("every action that would run pgBackRest says it is a demo, and the sample stays", async () => {
  const archive = await db.walArchive.findUniqueOrThrow({ where: { databaseId } });
  const before = archive.lastHealth;
  expect(() => pgbackrestArgv(archive, "info", [])).toThrow(DEMO_ARCHIVE_REFUSAL);
  await expect(readRecoverableWindow(archive, { id: databaseId })).rejects.toThrow(DEMO_ARCHIVE_REFUSAL);
  await expect(refreshArchiveHealth(databaseId)).rejects.toThrow(DEMO_ARCHIVE_REFUSAL);
  await expect(checkArchive({ databaseId })).rejects.toThrow(DEMO_ARCHIVE_REFUSAL);
  await expect(switchWal({ databaseId })).rejects.toThrow(DEMO_ARCHIVE_REFUSAL);
  await expect(
    createRestorePoint({ databaseId, name: "demo-point" }, { email: "a@example.test", source: "console" }),
  ).rejects.toThrow(DEMO_ARCHIVE_REFUSAL);
  await refreshAllArchiveHealth();
  const after = await db.walArchive.findUniqueOrThrow({ where: { databaseId } });
  expect(after.lastHealth).toBe(before);
  expect(await db.restorePoint.count({ where: { databaseId } })).toBe(0);
});
