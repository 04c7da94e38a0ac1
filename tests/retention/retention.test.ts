import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { saveLocation } from "@/lib/locations/mutations";
import { saveDatabase } from "@/lib/databases/mutations";
import { saveDatabaseSchema } from "@/lib/databases/schemas";
import { saveLocationSchema } from "@/lib/locations/schemas";
import { beginSync } from "@/lib/catalog/sync";
import { signWithServerKey } from "@/lib/backups/manifest-trust";
import { incidentKey } from "@/lib/alerts/events";
import { enforceRetention } from "@/lib/retention/enforce";
import { loadRetentionPlan } from "@/lib/retention/load-plan";
import { confirmRetentionCommand } from "@/lib/retention/commands";
import { approveCommand, requestApprovalCommand } from "@/lib/approvals/commands";
import { stamp, testS3 } from "@/tests/support/s3";

// The session is the one thing faked (for the commands): everything behind it is the real code.
const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

// Retention against real storage: the shared S3 test server and a real folder, Lifeboat's real
// SQLite database, the catalog filled by a real sync. Each database and location is this file's own.

const tag = randomUUID().slice(0, 8);
const now = new Date("2026-11-25T12:00:00Z");
const DAY = 86_400_000;
const s3 = testS3();
const bucket = `retention-${tag}`;
let folder: string;

const takenAt = (i: number) => new Date(Date.UTC(2026, 10, 25, 2) - i * DAY);
const keyOf = (prefix: string, i: number) => `${prefix}_backup_${stamp(takenAt(i))}.sql.gz`;

function signedManifest(i: number, database: string) {
  return JSON.stringify(
    signWithServerKey({
      lifeboat: 1,
      sha256: "b".repeat(64),
      size: 20,
      format: "plain_gzip",
      database,
      serverVersion: "15.18",
      pgDumpVersion: "15.18",
      createdAt: takenAt(i).toISOString(),
      migrationHead: null,
      critical: false,
      tables: [],
    }),
  );
}

async function sync(locationId: string) {
  const { done } = await beginSync(locationId, "manual");
  await done;
}

async function s3Keys(): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function auditedDeletions(databaseName: string) {
  const events = await db.auditEvent.findMany({ where: { action: "retention.delete" } });
  return events.filter((e) => (JSON.parse(e.detail) as { database: string }).database === databaseName);
}

async function makeDatabase(name: string, locationId: string, pattern: string) {
  return (
    await saveDatabase(
      saveDatabaseSchema.parse({
        name,
        environment: "staging",
        host: "127.0.0.1",
        dbName: "amani",
        user: "x",
        sslmode: "disable",
        sources: [{ locationId, patterns: pattern }],
      }),
    )
  ).id;
}

let s3LocationId: string;
let s3DatabaseId: string;
const s3DatabaseName = `ret-s3-${tag}`;
const FOREIGN = `s3ret_backup_${stamp(new Date(Date.UTC(2026, 8, 2, 3)))}.sql.gz`; // a Wednesday, 84 days old

beforeAll(async () => {
  await s3.createBucket(bucket);
  const items: { key: string; body: string }[] = [];
  for (let i = 0; i < 60; i++) {
    items.push({ key: keyOf("s3ret", i), body: "x".repeat(20) });
    items.push({ key: `${keyOf("s3ret", i)}.manifest.json`, body: signedManifest(i, "amani") });
  }
  items.push({ key: FOREIGN, body: "made by someone's cron job" });
  await s3.putMany(bucket, items);
  s3LocationId = (
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
          prefix: "",
        },
      }),
    )
  ).id;
  s3DatabaseId = await makeDatabase(s3DatabaseName, s3LocationId, "s3ret_backup_*");
  await sync(s3LocationId);
  await db.backup.updateMany({ where: { databaseId: s3DatabaseId }, data: { verificationState: "verified" } });
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-retention-"));
}, 120_000);

afterAll(async () => {
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

describe("retention on the S3 test server", { shuffle: false }, () => {
  test("deletes exactly the previewed objects (and their manifests), each audited; keeps the foreign one", async () => {
    const before = await s3Keys();
    const { plan, fingerprint } = await loadRetentionPlan(s3DatabaseId, "manual", now);
    expect(plan.refusals).toEqual([]);
    const previewed = plan.toDelete.map((d) => d.backup.key).sort();
    // 60 days: 30 dailies kept, plus the Sundays (all within 91 days) and 1sts among the rest.
    expect(previewed.length).toBeGreaterThan(15);
    expect(plan.kept.find((d) => d.backup.key === FOREIGN)?.rule).toBe("foreign");

    const result = await enforceRetention(s3DatabaseId, { trigger: "manual", fingerprint, now });
    expect(result).toMatchObject({ status: "done", deleted: previewed.length, failed: 0, retained: 0 });

    const after = await s3Keys();
    const removed = before.filter((k) => !after.includes(k));
    expect(removed.sort()).toEqual([...previewed, ...previewed.map((k) => `${k}.manifest.json`)].sort());
    expect(after).toContain(FOREIGN);
    for (const key of previewed.slice(0, 3))
      await expect(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toThrow();

    const audited = await auditedDeletions(s3DatabaseName);
    expect(audited.map((e) => (JSON.parse(e.detail) as { key: string }).key).sort()).toEqual(previewed);
    expect(audited.every((e) => e.actorEmail === "anonymous")).toBe(true);
    const rows = await db.backup.findMany({ where: { key: { in: previewed }, locationId: s3LocationId } });
    expect(rows.every((r) => r.vanishedAt !== null)).toBe(true);
  });

  test("a confirmation of an older preview deletes nothing", async () => {
    const old = keyOf("s3ret", 0).replace("20261125", "20260715"); // 133 days old, a Wednesday
    await s3.put(bucket, old, "x".repeat(20));
    await s3.put(bucket, `${old}.manifest.json`, signedManifest(133, "amani"));
    const { fingerprint: stale } = await loadRetentionPlan(s3DatabaseId, "manual", now);
    expect((await loadRetentionPlan(s3DatabaseId, "manual", now)).plan.toDelete).toHaveLength(0);
    await sync(s3LocationId);
    await db.backup.updateMany({ where: { databaseId: s3DatabaseId }, data: { verificationState: "verified" } });
    await expect(enforceRetention(s3DatabaseId, { trigger: "manual", fingerprint: stale, now })).rejects.toThrow(
      /changed since you read the preview/,
    );
    expect(await s3Keys()).toContain(old);
  });

  test("the foreign object goes only after the location opts in", async () => {
    await enforceRetention(s3DatabaseId, { trigger: "schedule", now });
    expect(await s3Keys()).toContain(FOREIGN);
    await db.location.update({ where: { id: s3LocationId }, data: { retentionDeletesForeign: true } });
    const { plan } = await loadRetentionPlan(s3DatabaseId, "schedule", now);
    expect(plan.toDelete.map((d) => d.backup.key)).toEqual([FOREIGN]);
    const result = await enforceRetention(s3DatabaseId, { trigger: "schedule", now });
    expect(result.deleted).toBe(1);
    expect(await s3Keys()).not.toContain(FOREIGN);
  });
});

// A story in steps, each building on the one before: run in the written order.
describe("retention on a local folder", { shuffle: false }, () => {
  let locationId: string;
  let databaseId: string;
  const name = `ret-local-${tag}`;

  beforeAll(async () => {
    const dir = path.join(folder, "local");
    fs.mkdirSync(dir);
    for (let i = 0; i < 45; i++) {
      fs.writeFileSync(path.join(dir, keyOf("locret", i)), "y".repeat(30));
      fs.writeFileSync(path.join(dir, `${keyOf("locret", i)}.manifest.json`), signedManifest(i, "amani"));
    }
    locationId = (
      await saveLocation(
        saveLocationSchema.parse({ name: `local-${tag}`, config: { kind: "local", path: dir, prefix: "" } }),
      )
    ).id;
    databaseId = await makeDatabase(name, locationId, "locret_backup_*");
    await sync(locationId);
  });

  test("with the newest 5 failed, nothing is deleted and a retention_refused alert says why", async () => {
    const rows = await db.backup.findMany({ where: { databaseId }, orderBy: { takenAt: "desc" } });
    expect(rows).toHaveLength(45);
    await db.backup.updateMany({ where: { databaseId }, data: { verificationState: "verified" } });
    await db.backup.updateMany({
      where: { id: { in: rows.slice(0, 5).map((r) => r.id) } },
      data: { verificationState: "failed" },
    });
    const files = fs.readdirSync(path.join(folder, "local")).sort();
    const result = await enforceRetention(databaseId, { trigger: "schedule", now });
    expect(result.status).toBe("refused");
    expect(fs.readdirSync(path.join(folder, "local")).sort()).toEqual(files);
    const incident = await db.alertIncident.findUnique({
      where: { openKey: incidentKey({ event: "retention_refused", databaseId }) },
    });
    expect(incident?.message).toMatch(
      /deleted nothing: The newest backup \(locret_backup_20261125_020000.*failed its verification/,
    );
    expect(await auditedDeletions(name)).toEqual([]);
  });

  test("once the newest are good again it deletes exactly the previewed files and resolves the alert", async () => {
    await db.backup.updateMany({ where: { databaseId }, data: { verificationState: "verified" } });
    const { plan, fingerprint } = await loadRetentionPlan(databaseId, "manual", now);
    const previewed = plan.toDelete.map((d) => d.backup.key).sort();
    expect(previewed.length).toBeGreaterThan(5);
    const before = fs.readdirSync(path.join(folder, "local")).sort();
    await enforceRetention(databaseId, { trigger: "manual", fingerprint, now });
    const after = fs.readdirSync(path.join(folder, "local")).sort();
    expect(before.filter((f) => !after.includes(f)).sort()).toEqual(
      [...previewed, ...previewed.map((k) => `${k}.manifest.json`)].sort(),
    );
    expect((await auditedDeletions(name)).map((e) => (JSON.parse(e.detail) as { key: string }).key).sort()).toEqual(
      previewed,
    );
    const incident = await db.alertIncident.findFirst({
      where: { key: incidentKey({ event: "retention_refused", databaseId }) },
    });
    expect(incident?.resolvedAt).not.toBeNull();
  });
});

describe("retention deletion on production needs a second person", () => {
  let databaseId: string;
  let dir: string;
  const operator: SessionUser = { id: `op-${tag}`, email: `op-${tag}@example.test`, name: "op", role: "operator" };
  const approver: SessionUser = { id: `ap-${tag}`, email: `ap-${tag}@example.test`, name: "ap", role: "approver" };

  beforeAll(async () => {
    dir = path.join(folder, "prod");
    fs.mkdirSync(dir);
    // The commands plan at the real time: half a day off the time of day, away from any boundary.
    const anchor = Math.floor((Date.now() - 12 * 3_600_000) / 1000) * 1000;
    for (let i = 0; i < 40; i++)
      fs.writeFileSync(path.join(dir, `prodret_backup_${stamp(new Date(anchor - i * DAY))}.sql.gz`), "z".repeat(30));
    const locationId = (
      await saveLocation(
        saveLocationSchema.parse({ name: `local-prod-${tag}`, config: { kind: "local", path: dir, prefix: "" } }),
      )
    ).id;
    await db.location.update({ where: { id: locationId }, data: { retentionDeletesForeign: true } });
    databaseId = (
      await saveDatabase(
        saveDatabaseSchema.parse({
          name: `ret-prod-${tag}`,
          environment: "production",
          host: "127.0.0.1",
          dbName: "amani",
          user: "x",
          sslmode: "disable",
          sources: [{ locationId, patterns: "prodret_backup_*" }],
        }),
      )
    ).id;
    await sync(locationId);
    await db.backup.updateMany({ where: { databaseId }, data: { verificationState: "verified" } });
  });

  test("refused (403) without an approval, even with the right count; deletes after an approver approves", async () => {
    const { plan, fingerprint } = await loadRetentionPlan(databaseId, "manual");
    const typedCount = plan.toDelete.length;
    expect(typedCount).toBeGreaterThan(3);
    const files = fs.readdirSync(dir).sort();

    session.user = operator;
    const refused = await confirmRetentionCommand({ databaseId, fingerprint, typedCount });
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect(refused.ok ? "" : refused.error).toMatch(/needs an approver's approval/);
    expect(fs.readdirSync(dir).sort()).toEqual(files);

    const wrongCount = await confirmRetentionCommand({ databaseId, fingerprint, typedCount: typedCount + 1 });
    expect(wrongCount).toMatchObject({ ok: false, status: 400 });

    const requested = await requestApprovalCommand({ action: "retention.delete", subjectId: databaseId });
    if (!requested.ok) throw new Error(requested.error);
    session.user = approver;
    const approved = await approveCommand({ approvalId: requested.data.approvalId });
    if (!approved.ok) throw new Error(approved.error);

    session.user = operator;
    const done = await confirmRetentionCommand({ databaseId, fingerprint, typedCount });
    if (!done.ok) throw new Error(done.error);
    expect(done.data.deleted).toBe(typedCount);
    expect(fs.readdirSync(dir)).toHaveLength(40 - typedCount);
    const used = await db.approval.findUniqueOrThrow({ where: { id: requested.data.approvalId } });
    expect(used.status).toBe("used");
  });
});
