// Fills DEMO_DIR/backups (the demo's "local" Location) with backups of the sandbox database
// `amani` over the last 120 days, so that every state of the Backups area can be seen:
//
//   - a daily plain-SQL gzip backup at 02:00 UTC every day (amani_backup_YYYYMMDD_020000.sql.gz),
//     except one day about 10 days ago (the dashboard's red "missing" day);
//   - a few custom-format ones at 14:00 (amani_backup_YYYYMMDD_140000.dump);
//   - four pre-migration snapshots (pre_migration_YYYYMMDD_HHMMSS.sql.gz), one marked critical;
//   - one truncated backup (a daily cut to 60% of its bytes: its verification fails) and one
//     0-byte backup (a size anomaly), both without manifests;
//   - manifest sidecars (<key>.manifest.json) for the last 30 days and the critical snapshot
//     only, so that backups with and without manifests both show.
//
// Two real dumps are made with Lifeboat's own createBackup (one plain_gzip, one custom); the
// other names are byte copies of them, with manifests that carry each copy's own createdAt
// (sha256 and size stay true, since the bytes are the same). Every file's mtime is set to the
// time its name says it was taken. Does nothing when the folder already holds files.
//
// Run by scripts/demo.sh: node node_modules/tsx/dist/cli.mjs scripts/demo-backups.ts [DEMO_DIR]
// (DEMO_DIR defaults to $LIFEBOAT_DEMO_DIR; the password to $DEMO_PG_PASSWORD or DEMO_DIR/secrets.env).
import fs from "node:fs/promises";
import path from "node:path";
import type { Manifest } from "../lib/backups/manifest";
import type { PgConnection } from "../lib/postgres/connection";

// lib/ (createBackup → execa) needs Node's "import" condition under tsx: run it through
// scripts/lib.sh's run_ts, which sets it (an execa dependency exports only an "import" entry).

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 120;
/** Days ago of the one missing daily backup. */
const MISSING_DAY = 10;
/** Backups younger than this many days get a manifest (and the critical snapshot). */
const MANIFEST_DAYS = 30;

type Source = "plain" | "custom" | "truncated" | "empty";
type Planned = { key: string; takenAt: Date; source: Source; manifest: boolean; critical: boolean };

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Every backup of the demo, relative to `now` (UTC). */
function planBackups(now: Date): Planned[] {
  // Midnight (UTC) of the newest day whose 02:00 backup has already happened.
  let day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (day0 + 2 * 3_600_000 > now.getTime()) day0 -= DAY_MS;
  const at = (daysAgo: number, h: number, m = 0, s = 0) =>
    new Date(day0 - daysAgo * DAY_MS + ((h * 60 + m) * 60 + s) * 1000);
  const plan: Planned[] = [];
  const add = (
    daysAgo: number,
    takenAt: Date,
    name: (stamp: string) => string,
    source: Source,
    extra: { manifest?: boolean; critical?: boolean } = {},
  ) =>
    plan.push({
      key: name(stamp(takenAt)),
      takenAt,
      source,
      manifest: extra.manifest ?? (daysAgo < MANIFEST_DAYS && (source === "plain" || source === "custom")),
      critical: extra.critical ?? false,
    });

  for (let d = 0; d < HISTORY_DAYS; d++) {
    if (d === MISSING_DAY) continue;
    add(d, at(d, 2), (s) => `amani_backup_${s}.sql.gz`, "plain");
  }
  for (const d of [1, 8, 15, 45, 75]) add(d, at(d, 14), (s) => `amani_backup_${s}.dump`, "custom");
  const preMigrations: [number, number, number, number, boolean][] = [
    [95, 10, 12, 5, false],
    [63, 15, 40, 31, false],
    [34, 9, 5, 12, true], // before a major release: kept forever
    [6, 16, 22, 47, false],
  ];
  for (const [d, h, m, s, critical] of preMigrations) {
    add(d, at(d, h, m, s), (st) => `pre_migration_${st}.sql.gz`, "plain", {
      critical,
      manifest: critical || d < MANIFEST_DAYS,
    });
  }
  // A second run on a day that already has a good daily, so neither makes a day "missing".
  add(3, at(3, 14), (s) => `amani_backup_${s}.sql.gz`, "truncated");
  add(20, at(20, 14), (s) => `amani_backup_${s}.sql.gz`, "empty");
  return plan.sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
}

async function readSecret(demoDir: string): Promise<string> {
  if (process.env.DEMO_PG_PASSWORD) return process.env.DEMO_PG_PASSWORD;
  const text = await fs.readFile(path.join(demoDir, "secrets.env"), "utf8").catch(() => "");
  const line = text.split("\n").find((l) => l.startsWith("DEMO_PG_PASSWORD="));
  if (!line)
    throw new Error(
      `DEMO_PG_PASSWORD is neither set nor in ${demoDir}/secrets.env: start the sandbox first (scripts/demo-postgres.sh start ${demoDir})`,
    );
  return line.slice("DEMO_PG_PASSWORD=".length).trim();
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

async function main() {
  const started = performance.now();
  const demoDir = path.resolve(process.argv[2] ?? process.env.LIFEBOAT_DEMO_DIR ?? "");
  if (!process.argv[2] && !process.env.LIFEBOAT_DEMO_DIR)
    throw new Error("usage: demo-backups.ts DEMO_DIR (or set LIFEBOAT_DEMO_DIR)");
  const target = path.join(demoDir, "backups");

  const existing = await fs.readdir(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return [];
    throw e;
  });
  if (existing.length > 0) {
    console.error(`[lifeboat] demo backups: ${target} already holds ${existing.length} files; left as they are`);
    return;
  }
  const { createBackup } = await import("../lib/backups/create-backup");
  const { manifestKey } = await import("../lib/backups/manifest");
  const { signWithServerKey } = await import("../lib/backups/manifest-trust");
  const { createStorage } = await import("../lib/storage/create-storage");

  const conn: PgConnection = {
    host: "127.0.0.1",
    port: Number(process.env.DEMO_PG_PORT ?? 55432),
    user: "lifeboat",
    password: await readSecret(demoDir),
    database: "amani",
    sslmode: "disable",
  };

  // Built in a side folder and renamed into place, so that an interrupted run never leaves
  // a half-filled Location that the next start would take as done.
  const work = path.join(demoDir, `backups.partial-${process.pid}`);
  for (const name of await fs.readdir(demoDir)) {
    if (name.startsWith("backups.partial-")) await fs.rm(path.join(demoDir, name), { recursive: true, force: true });
  }
  await fs.mkdir(work, { recursive: true, mode: 0o750 });
  try {
    const storage = createStorage({ kind: "local", path: work, prefix: "" });
    // A stuck server must not hang the demo's start for ever.
    const signal = AbortSignal.timeout(120_000);
    const plain = await createBackup({ conn, storage, key: ".seed/amani.sql.gz", format: "plain_gzip", signal });
    const custom = await createBackup({ conn, storage, key: ".seed/amani.dump", format: "custom", signal });
    const seeds: Record<"plain" | "custom", { file: string; manifest: Manifest }> = {
      plain: { file: path.join(work, plain.key), manifest: plain.manifest },
      custom: { file: path.join(work, custom.key), manifest: custom.manifest },
    };
    const plainBytes = await fs.readFile(seeds.plain.file);

    const plan = planBackups(new Date());
    let total = 0;
    let manifests = 0;
    for (const b of plan) {
      const file = path.join(work, b.key);
      if (b.source === "plain" || b.source === "custom") {
        await fs.copyFile(seeds[b.source].file, file);
      } else if (b.source === "truncated") {
        await fs.writeFile(file, plainBytes.subarray(0, Math.floor(plainBytes.length * 0.6)), { mode: 0o640 });
      } else {
        await fs.writeFile(file, "", { mode: 0o640 });
      }
      await fs.utimes(file, b.takenAt, b.takenAt);
      total += (await fs.stat(file)).size;
      if (b.manifest && (b.source === "plain" || b.source === "custom")) {
        // Signed again: the copy's own time and mark change what the signature covers.
        const manifest: Manifest = signWithServerKey({
          ...seeds[b.source].manifest,
          createdAt: b.takenAt.toISOString(),
          critical: b.critical,
        });
        const sidecar = path.join(work, manifestKey(b.key));
        await fs.writeFile(sidecar, JSON.stringify(manifest, null, 2) + "\n", { mode: 0o640 });
        await fs.utimes(sidecar, b.takenAt, b.takenAt);
        manifests++;
      }
    }
    await fs.rm(path.join(work, ".seed"), { recursive: true, force: true });
    await fs.rmdir(target).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e; // still empty (checked above), or not there
    });
    await fs.rename(work, target);

    const count = (s: Source, re: RegExp) => plan.filter((b) => b.source === s && re.test(b.key)).length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.error(
      `[lifeboat] demo backups: ${plan.length} backups (${mib(total)}) and ${manifests} manifests in ${target} in ${seconds} s: ` +
        `${count("plain", /^amani_backup_.*\.sql\.gz$/)} daily, ${count("custom", /\.dump$/)} custom-format, ` +
        `${count("plain", /^pre_migration_/)} pre-migration, 1 truncated, 1 of 0 bytes`,
    );
  } catch (e) {
    await fs.rm(work, { recursive: true, force: true });
    throw e;
  }
}

main().catch((e: unknown) => {
  console.error(`[lifeboat] demo backups failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
