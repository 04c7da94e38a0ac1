import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { createBackup } from "@/lib/backups/create-backup";
import { manifestKey, type Manifest } from "@/lib/backups/manifest";
import { MANIFEST_KEY_LABEL } from "@/lib/backups/manifest-signature";
import { readCheckedManifest } from "@/lib/backups/manifest-trust";
import { verifyBackup } from "@/lib/backups/verify";
import { beginSync } from "@/lib/catalog/sync";
import { derivedKey, seal } from "@/lib/crypto/key";
import { keyId } from "@/lib/crypto/secrets";
import { db } from "@/lib/db";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import { prepareRunCommand } from "@/lib/restores/commands";
import { createStorage } from "@/lib/storage/create-storage";

// A manifest sits in the bucket beside its backup: whoever can replace the backup can write a
// manifest whose sha256 matches it, with any row counts, migration head, format and date. Such a
// manifest must never make Lifeboat say "matches its manifest", choose the format or the date, or
// feed the restore's checks. Only a manifest signed with the console's key (derived from
// LIFEBOAT_ENCRYPTION_KEY) is trusted.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomBytes(4).toString("hex");
let dir = "";
let pgName = "";
let operator: SessionUser;
let locationId = "";
let databaseId = "";
let signed: Manifest;

const FORGED_AT = "2031-01-01T02:00:00.000Z";

/** What an attacker with write access to the bucket writes beside a backup of their choosing. */
function forge(from: Manifest, extra: Partial<Manifest> = {}): Manifest {
  const m: Manifest = {
    ...from,
    createdAt: FORGED_AT,
    migrationHead: "forged-head",
    tables: [{ schema: "public", name: "users", rows: 424242 }],
    ...extra,
  };
  delete m.signature;
  return m;
}

function writeCopy(key: string, manifest: Manifest) {
  fs.copyFileSync(path.join(dir, "signed.sql.gz"), path.join(dir, key));
  fs.writeFileSync(path.join(dir, manifestKey(key)), JSON.stringify(manifest));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-forged-manifest-"));
  const conn = await createFixtureDatabase("forged");
  pgName = conn.database;
  const storage = createStorage({ kind: "local", path: dir, prefix: "" });
  signed = (await createBackup({ conn, storage, key: "signed.sql.gz", format: "plain_gzip" })).manifest;

  // The same bytes under other names: the sha256 and size in each forged manifest match them.
  writeCopy("forged.sql.gz", forge(signed));
  writeCopy("forged-format.sql.gz", forge(signed, { format: "custom" }));
  writeCopy("forged-signature.sql.gz", {
    ...forge(signed),
    signature: { alg: "HMAC-SHA256", keyId: keyId(derivedKey(MANIFEST_KEY_LABEL)), value: "ab".repeat(32) },
  });
  // A genuine signature, then one field changed.
  writeCopy("altered.sql.gz", { ...signed, migrationHead: "forged-head" });

  const u = await db.user.create({ data: { email: `forged-${tag}@example.test`, name: "op", role: "operator" } });
  operator = { id: u.id, email: u.email, name: u.name, role: "operator" };
  locationId = (
    await db.location.create({
      data: { name: `forged-${tag}`, kind: "local", config: JSON.stringify({ path: dir, prefix: "" }) },
    })
  ).id;
  databaseId = (
    await db.database.create({
      data: {
        name: `forged-${tag}`,
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
  await db.databaseSource.create({ data: { locationId, databaseId, patterns: "*" } });
  const { done } = await beginSync(locationId, "manual");
  await done;
}, 120_000);

afterAll(async () => {
  await db.run.deleteMany({ where: { databaseId } });
  await db.location.deleteMany({ where: { id: locationId } });
  await db.database.deleteMany({ where: { id: databaseId } });
  if (pgName) await dropDatabase(pgName);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  session.user = operator;
});

const row = (key: string) => db.backup.findUniqueOrThrow({ where: { locationId_key: { locationId, key } } });

function verify(key: string, manifest: Manifest) {
  const file = path.join(dir, key);
  return verifyBackup({
    open: async () => fs.createReadStream(file),
    size: fs.statSync(file).size,
    format: "plain_gzip",
    manifest,
  });
}

describe("a manifest Lifeboat did not sign is never trusted", () => {
  test("a forged manifest whose sha256 matches does not make the verification 'match its manifest'", async () => {
    const r = await verify("forged.sql.gz", forge(signed));
    // The bytes are a whole pg_dump, so the format checks pass; the manifest vouches for nothing.
    expect(r.ok).toBe(true);
    expect(r.checks.find((c) => c.name === "sha256 matches manifest")).toBeUndefined();
    expect(r.checks.find((c) => c.name === "manifest not trusted")?.detail).toMatch(/^unsigned manifest — not trusted/);
    expect(r.summary).toMatch(/\(unsigned manifest — not trusted\)/);
    expect(r.summary).not.toMatch(/matches its/);
  });

  test("a made-up signature, or a signed manifest altered afterwards, is not trusted either", async () => {
    for (const m of [
      {
        ...forge(signed),
        signature: { alg: "HMAC-SHA256" as const, keyId: signed.signature!.keyId, value: "0".repeat(64) },
      },
      { ...signed, tables: [{ schema: "public", name: "users", rows: 1 }] },
    ]) {
      const r = await verify("forged.sql.gz", m);
      expect(r.checks.find((c) => c.name === "sha256 matches manifest")).toBeUndefined();
      expect(r.summary).toMatch(/manifest signature not valid — not trusted/);
    }
  });

  test("an unsigned manifest that disagrees with the bytes still fails the verification", async () => {
    const r = await verify("forged.sql.gz", forge(signed, { sha256: "0".repeat(64) }));
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.name === "sha256 matches manifest")?.ok).toBe(false);
  });

  test("the manifest Lifeboat wrote is signed and trusted", async () => {
    expect(signed.signature?.alg).toBe("HMAC-SHA256");
    const r = await verify("signed.sql.gz", signed);
    expect(r.checks.find((c) => c.name === "sha256 matches manifest")?.ok).toBe(true);
    expect(r.summary).toMatch(/\(matches its signed manifest\)/);
    expect(readCheckedManifest((await row("signed.sql.gz")).manifest)?.trust.trusted).toBe(true);
  });

  test("the catalog takes neither the date nor the format from an unsigned manifest", async () => {
    const forged = await row("forged.sql.gz");
    expect(forged.takenAtSource).toBe("modified");
    expect(forged.takenAt.toISOString()).not.toBe(FORGED_AT);
    expect((await row("forged-format.sql.gz")).format).toBe("plain_gzip");
    for (const key of ["forged.sql.gz", "forged-signature.sql.gz", "altered.sql.gz"]) {
      const checked = readCheckedManifest((await row(key)).manifest);
      // Kept to be shown, marked as not trusted.
      expect(checked?.manifest.migrationHead).toBe("forged-head");
      expect(checked?.trust.trusted, key).toBe(false);
    }
    const signedRow = await row("signed.sql.gz");
    expect(signedRow.takenAtSource).toBe("manifest");
  });

  test("a restore plan ignores an unsigned manifest's row counts and migration head, and says why", async () => {
    const plan = async (key: string) => {
      const r = await prepareRunCommand({
        scenarioId: "database-corruption",
        databaseId,
        backupId: (await row(key)).id,
      });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
      const run = await db.run.findUniqueOrThrow({ where: { id: (r as { data: { runId: string } }).data.runId } });
      return JSON.parse(run.plan) as {
        summary: { backup: { hasManifest: boolean; tables?: number }; preflight: { lines: string[] } };
      };
    };
    const forged = await plan("forged.sql.gz");
    expect(forged.summary.backup.hasManifest).toBe(false);
    expect(forged.summary.backup.tables).toBeUndefined();
    expect(forged.summary.preflight.lines.join("\n")).toMatch(/unsigned manifest — not trusted/);
    expect(forged.summary.preflight.lines.join("\n")).not.toMatch(/forged-head/);

    const genuine = await plan("signed.sql.gz");
    expect(genuine.summary.backup).toMatchObject({ hasManifest: true, tables: signed.tables.length });
  });
});
