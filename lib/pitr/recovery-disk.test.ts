import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { db } from "@/lib/db";
import { recoveryRootDir } from "@/lib/env";
import { archivedTestDatabase, newestBaseBackupBefore } from "./recovery-test-support";
import { recoveryBytesNeeded, recoveryDiskCheck, statfsFreeBytes } from "./recovery-disk";
import { RecoveryError, startRecoveryInstance } from "./recovery";

// A point-in-time restore needs the base backup's whole cluster on the recovery folder's disk,
// and room for the WAL replayed on top; one that does not fit is refused before anything exists.

const GiB = 1024 ** 3;

test("the need is the restored cluster plus a tenth and 1 GiB for WAL replay", () => {
  expect(recoveryBytesNeeded(0)).toBe(GiB);
  expect(recoveryBytesNeeded(10 * GiB)).toBe(12 * GiB);
  const fits = recoveryDiskCheck({ label: "20261201-224133F", sizeBytes: 10 * GiB }, "/srv/recovery", 12 * GiB);
  expect(fits.ok).toBe(true);
  expect(fits.message).toBe(
    "free disk for the recovery instance in /srv/recovery: 12 GiB; it needs about 12 GiB (base backup 20261201-224133F restores to 10 GiB, plus 10% and 1.0 GiB for the WAL replayed on top)",
  );
});

test("a disk too small is refused with what is needed, what is free, where, and what to do", () => {
  const c = recoveryDiskCheck({ label: "20261201-224133F", sizeBytes: 10 * GiB }, "/srv/recovery", 5 * GiB);
  expect(c.ok).toBe(false);
  expect(c.neededBytes).toBe(12 * GiB);
  expect(c.message).toBe(
    "Not enough free disk for the recovery instance: it needs about 12 GiB (base backup 20261201-224133F restores to 10 GiB, plus 10% and 1.0 GiB for the WAL replayed on top), and /srv/recovery has 5.0 GiB free (7.0 GiB short). Nothing was restored. Free that much space there, or set LIFEBOAT_RECOVERY_DIR to a folder on a bigger disk (and restart Lifeboat), then try again.",
  );
});

test("free space is read from the nearest existing parent, creating nothing", async () => {
  const missing = path.join(recoveryRootDir(), "not-there-yet", "deeper");
  expect(await statfsFreeBytes(missing)).toBeGreaterThan(0);
  expect(fs.existsSync(path.join(recoveryRootDir(), "not-there-yet"))).toBe(false);
});

test("a restore the disk cannot hold is refused before any row or folder exists", async () => {
  const { databaseId } = await archivedTestDatabase("rec_disk");
  const label = await newestBaseBackupBefore(new Date());
  const root = recoveryRootDir();
  const before = fs.existsSync(root) ? fs.readdirSync(root).sort() : null;
  const asked: string[] = [];
  const attempt = startRecoveryInstance({
    databaseId,
    runId: null,
    target: { kind: "immediate" },
    baseBackupLabel: label,
    freeBytes: async (dir) => {
      asked.push(dir);
      return 1024 * 1024;
    },
  });
  await expect(attempt).rejects.toBeInstanceOf(RecoveryError);
  await expect(attempt).rejects.toThrow(
    new RegExp(
      `^Not enough free disk for the recovery instance: it needs about .* \\(base backup ${label} restores to .*\\), and ${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has 1\\.0 MiB free .* set LIFEBOAT_RECOVERY_DIR to a folder on a bigger disk`,
    ),
  );
  expect(asked).toEqual([path.resolve(root)]);
  expect(await db.recoveryInstance.count({ where: { databaseId } })).toBe(0);
  expect(fs.existsSync(root) ? fs.readdirSync(root).sort() : null).toEqual(before);
});
