import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createBackup } from "@/lib/backups/create-backup";
import type { PgConnection } from "@/lib/postgres/connection";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import { serializePlan } from "@/lib/runner/plan";
import { createStorage } from "@/lib/storage/create-storage";
import type { BackupStorage } from "@/lib/storage/provider";
import { saveDatabaseSchema } from "@/lib/databases/schemas";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";
import { automaticRestoreJobs } from "./jobs";
import { planFor, type BackupSource, type RestoreTarget } from "./plans";
import { databasesStartingWith, executePlan } from "./test-support";
import { downloadOnePass, inspectionOf } from "./one-pass";

// The restore path reads the backup's bytes once: the download verifies and inspects them on
// the way to the file, and the verify and safety steps take those results only for the same,
// unchanged file. And the parallel default: the plan says how many jobs pg_restore runs.

const TIMEOUT = 180_000;
let dir: string;
let workDir: string;
let storage: BackupStorage;
let conn: PgConnection;
let backup: BackupSource;
const toDrop: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-one-pass-"));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-one-pass-work-"));
  storage = createStorage({ kind: "local", path: dir, prefix: "" });
  conn = await createFixtureDatabase("onepass");
  toDrop.push(conn.database);
  const key = `${conn.database}/backup.dump`;
  const r = await createBackup({ conn, storage, key, format: "custom" });
  backup = { storage, key, size: r.size, format: "custom", manifest: r.manifest, locationName: "test folder" };
}, TIMEOUT);

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name);
  for (const name of conn ? await databasesStartingWith(`${conn.database}_lifeboat_`) : []) await dropDatabase(name);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

const target = (): RestoreTarget => ({
  name: conn.database,
  environment: "production",
  conn,
  migrationHead: DEFAULT_HEAD_SOURCE,
});

function corruptionPlan(now: Date, jobs?: number) {
  return planFor({
    scenarioId: "database-corruption",
    target: target(),
    backup,
    now,
    options: { workDir, ...(jobs ? { jobs } : {}) },
  });
}

/** Same size, other bytes: one byte in the middle of the downloaded file changed in place. */
function tamper(file: string) {
  const bytes = fs.readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, bytes, at, 1, at);
  fs.closeSync(fd);
}

describe("one pass over the bytes", () => {
  test(
    "the download verifies the bytes on their way; verify and safety read nothing again",
    async () => {
      const plan = corruptionPlan(new Date("2026-12-01T10:00:00Z"));
      const run = await executePlan(plan, { until: "create-scratch" });
      if (run.failed) throw run.failed.error;
      const download = run.results["download"] as { verification: { ok: boolean; sha256: string }; sha256: string };
      expect(download.verification.ok).toBe(true);
      expect(download.verification.sha256).toBe(download.sha256);
      expect(run.results["verify-backup"]).toMatchObject({ ok: true, onDownload: true });
      expect(run.logs.join("\n")).toContain("nothing read again");
      // Started by the preflight, taken over by the download step.
      expect(run.logs.join("\n")).toContain("[download] the download started while the preflight ran");
      // Signed by this console: the schema is read, the data (pg_dump's COPY blocks) is not decompressed.
      expect(run.logs.join("\n")).toContain("the archive's schema was read while it downloaded");
      expect(
        (run.results["verify-backup"] as { checks: { name: string; detail: string }[] }).checks.find(
          (c) => c.name === "table data",
        )?.detail,
      ).toMatch(/not decompressed before the restore: the bytes are the ones the signed manifest names/);
    },
    TIMEOUT,
  );

  test(
    "a reading of the schema alone is kept only for the bytes the signed manifest names",
    async () => {
      const manifest = backup.manifest;
      if (!manifest) throw new Error("the test backup has a manifest");
      const file = path.join(workDir, "other-bytes.dump");
      // The manifest names other bytes (as when an archive was swapped under its signed manifest).
      const r = await downloadOnePass(await storage.read(backup.key), file, {
        format: "custom",
        size: backup.size,
        manifest: { ...manifest, sha256: "0".repeat(64) },
        onProgress: () => undefined,
      });
      expect(r.sha256).toBe(manifest.sha256);
      expect(r.verification).toBeNull();
      expect(await inspectionOf(file, r.sha256)).toBeNull();
      fs.rmSync(file, { force: true });
    },
    TIMEOUT,
  );

  test(
    "without a signed manifest the whole script is read on the download's pass, data blocks included",
    async () => {
      const plan = planFor({
        scenarioId: "database-corruption",
        target: target(),
        backup: { ...backup, manifest: null },
        now: new Date("2026-12-01T10:02:00Z"),
        options: { workDir },
      });
      const run = await executePlan(plan, { until: "create-scratch" });
      if (run.failed) throw run.failed.error;
      expect(run.logs.join("\n")).toContain("the archive's script was read while it downloaded");
      expect(run.logs.join("\n")).toMatch(
        /read the archive's script: [\d,]+ lines, [\d,]+ statements, 8 COPY data blocks/,
      );
      // The table data check comes from the inspection's full read, not a second pg_restore.
      expect(
        (run.results["verify-backup"] as { checks: { name: string; detail: string }[] }).checks.find(
          (c) => c.name === "table data",
        )?.detail,
      ).toMatch(/pg_restore wrote the archive's script/);
    },
    TIMEOUT,
  );

  test(
    "a downloaded file changed after the download is checked again, not vouched for by the download's pass",
    async () => {
      const plan = corruptionPlan(new Date("2026-12-01T10:05:00Z"));
      const first = await executePlan(plan, { until: "verify-backup" });
      if (first.failed) throw first.failed.error;
      const file = (first.results["download"] as { path: string }).path;
      tamper(file);
      const verify = await executePlan(plan, { from: "verify-backup", until: "sql-safety", results: first.results });
      expect(verify.failed?.key).toBe("verify-backup");
      expect(verify.failed?.error.message).toMatch(/sha256 is [0-9a-f]{64} but the manifest records/);
      expect(verify.logs.join("\n")).toContain(`read ${file} to check it`);
    },
    TIMEOUT,
  );

  test(
    "the safety step inspects a changed file again instead of taking the download's inspection",
    async () => {
      const plan = corruptionPlan(new Date("2026-12-01T10:10:00Z"));
      const first = await executePlan(plan, { until: "sql-safety" });
      if (first.failed) throw first.failed.error;
      const file = (first.results["download"] as { path: string }).path;
      // Rewritten with the very same bytes: only the file's times say it was written to.
      fs.writeFileSync(file, fs.readFileSync(file));
      const safety = await executePlan(plan, { from: "sql-safety", until: "create-scratch", results: first.results });
      if (safety.failed) throw safety.failed.error;
      expect(safety.logs.join("\n")).toContain(`reading the archive's script from ${file}`);
    },
    TIMEOUT,
  );
});

describe("the download alongside the preflight", () => {
  test(
    "a preflight that finds a problem stops the download it started: no file, no scratch database left",
    async () => {
      const ownWorkDir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-one-pass-stop-"));
      try {
        const manifest = backup.manifest;
        if (!manifest) throw new Error("the test backup has a manifest");
        const plan = planFor({
          scenarioId: "database-corruption",
          target: target(),
          // A role the server lacks: the preflight refuses, after the download has started.
          backup: { ...backup, manifest: { ...manifest, roles: [...(manifest.roles ?? []), "lifeboat_no_such_role"] } },
          now: new Date("2026-12-01T10:20:00Z"),
          options: { workDir: ownWorkDir },
        });
        const scratch = (plan.summary as { scratchDatabase: string }).scratchDatabase;
        const run = await executePlan(plan);
        expect(run.failed?.key).toBe("preflight");
        expect(run.failed?.error.message).toMatch(/lifeboat_no_such_role/);
        expect(run.logs.join("\n")).toContain("the download started alongside was stopped and its file removed");
        expect(await databasesStartingWith(scratch)).toEqual([]);
        expect(fs.readdirSync(ownWorkDir)).toEqual([]);
      } finally {
        fs.rmSync(ownWorkDir, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );
});

describe("parallel restore by default", () => {
  test("the scratch restore runs the console's cores as jobs (at most 8), shown in the plan and its hash", () => {
    const now = new Date("2026-12-01T11:00:00Z");
    const cores = automaticRestoreJobs();
    expect(cores).toBe(Math.min(8, os.availableParallelism()));
    const byDefault = corruptionPlan(now);
    const restore = byDefault.steps.find((s) => s.key === "restore-scratch");
    if (cores > 1) expect(restore?.command).toContain(`--jobs=${cores}`);
    expect(restore?.description).toMatch(cores > 1 ? new RegExp(`with ${cores} parallel jobs`) : /with one job/);
    const one = corruptionPlan(now, 1);
    expect(one.steps.find((s) => s.key === "restore-scratch")?.command?.some((a) => a.startsWith("--jobs"))).toBe(
      false,
    );
    const three = corruptionPlan(now, 3);
    expect(three.steps.find((s) => s.key === "restore-scratch")?.command).toContain("--jobs=3");
    expect(serializePlan(three).hash).not.toBe(serializePlan(one).hash);
  });

  test("tar archives and plain SQL restore in one stream; the new-server restore stays one transaction", () => {
    const now = new Date("2026-12-01T11:05:00Z");
    const tar = planFor({
      scenarioId: "database-corruption",
      target: target(),
      backup: { ...backup, format: "tar", key: "x.tar" },
      now,
      options: { workDir, jobs: 4 },
    });
    expect(tar.steps.find((s) => s.key === "restore-scratch")?.command?.some((a) => a.startsWith("--jobs"))).toBe(
      false,
    );
    const plain = planFor({
      scenarioId: "database-corruption",
      target: target(),
      backup: { ...backup, format: "plain", key: "x.sql" },
      now,
      options: { workDir, jobs: 4 },
    });
    expect(plain.steps.find((s) => s.key === "restore-scratch")?.command?.[0]).toMatch(/psql$/);
    const newServer = planFor({
      scenarioId: "infrastructure-loss",
      target: target(),
      backup,
      now,
      options: { workDir, jobs: 4 },
    });
    const cmd = newServer.steps.find((s) => s.key === "restore-target")?.command ?? [];
    expect(cmd).toContain("--single-transaction");
    expect(cmd.some((a) => a.startsWith("--jobs"))).toBe(false);
  });

  test("the database setting takes 1–8 or automatic", () => {
    const base = {
      name: "x",
      environment: "test",
      host: "h",
      dbName: "d",
      user: "u",
      sslmode: "disable",
    } as const;
    expect(saveDatabaseSchema.parse({ ...base, restoreJobs: "automatic" }).restoreJobs).toBeNull();
    expect(saveDatabaseSchema.parse({ ...base, restoreJobs: "" }).restoreJobs).toBeNull();
    expect(saveDatabaseSchema.parse(base).restoreJobs).toBeNull();
    expect(saveDatabaseSchema.parse({ ...base, restoreJobs: " 4 " }).restoreJobs).toBe(4);
    for (const bad of ["0", "9", "2.5", "-1", "four"]) {
      const r = saveDatabaseSchema.safeParse({ ...base, restoreJobs: bad });
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/from 1 to 8, or automatic/);
    }
  });
});
