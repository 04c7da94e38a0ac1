import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { createFixtureDatabase, dropDatabase } from "@/lib/postgres/test-support";
import type { PgConnection } from "@/lib/postgres/connection";
import { saveAlertChannelCommand } from "@/lib/alerts/commands";
import { deliveriesSettled } from "@/lib/alerts/deliveries";
import { verifySignature } from "@/lib/alerts/signature";
import { configureBackupRetries, startBackupRun, type BackupRetryTimings } from "@/lib/backups/backup-run";
import { saveLocation } from "@/lib/locations/mutations";
import { saveLocationSchema } from "@/lib/locations/schemas";
import { sealDatabasePassword } from "@/tests/support/seal-password";
import { testServices, uniqueName } from "@/tests/support/services";
import { databaseEntry, freshLocation } from "@/tests/support/backup-targets";
import { startHttpReceiver, startSmtpReceiver, subjectOf } from "./receivers";

// Real backup runs of a real database that fail, with a webhook and an e-mail channel routed to
// that database: the receivers get exactly one alert for two failures in a row, and exactly one
// "resolved" once a backup succeeds; the location holds nothing from the failed runs.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomBytes(3).toString("hex");
const SIGNING_SECRET = `backup-alerts-${tag}-0123456789`;
const actor = { id: "test-operator", email: "operator@example.test" };
let conn: PgConnection;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let retries: BackupRetryTimings;
const folders: string[] = [];

beforeAll(async () => {
  conn = await createFixtureDatabase("bkalert");
  retries = configureBackupRetries({ delaysMs: [50] });
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver();
  const admin = await db.user.create({
    data: { email: `backup-alerts-${tag}@example.test`, name: "Backup alerts admin", role: "admin" },
  });
  session.user = { id: admin.id, email: admin.email, name: admin.name, role: "admin" };
}, 120_000);

afterAll(async () => {
  configureBackupRetries(retries);
  await deliveriesSettled();
  await http?.close();
  await smtp?.close();
  if (conn) await dropDatabase(conn.database);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

/** A webhook and an e-mail channel for every alert event, routed to this one database only. */
async function channelsFor(databaseId: string, hookPath: string) {
  for (const config of [
    { kind: "webhook" as const, url: http.url(hookPath), signingSecret: SIGNING_SECRET },
    {
      kind: "email" as const,
      host: "127.0.0.1",
      port: smtp.port,
      tls: "none" as const,
      from: "lifeboat@example.test",
      to: "oncall@example.test",
    },
  ]) {
    const saved = await saveAlertChannelCommand({
      name: uniqueName(`bkalert-${config.kind}`),
      events: ["backup_failed", "verification_failed", "rpo_breached", "restore_failed", "restore_waiting"],
      allDatabases: false,
      databaseIds: [databaseId],
      config,
    });
    if (!saved.ok) throw new Error(saved.error);
  }
}

/** What the webhook path received, each body's HMAC checked as the README tells a receiver to. */
function hooks(path: string) {
  return http.requests
    .filter((r) => r.path === path)
    .map((r) => {
      expect(
        verifySignature({
          secret: SIGNING_SECRET,
          body: r.body,
          signature: r.headers["x-lifeboat-signature"] as string,
          timestamp: r.headers["x-lifeboat-timestamp"] as string,
        }),
      ).toEqual({ ok: true });
      const body = JSON.parse(r.body) as { type: string; event: string; database: string | null };
      return `${body.type} ${body.event} ${body.database}`;
    });
}

const subjectsAbout = (name: string) => smtp.mails.map((m) => subjectOf(m.raw)).filter((s) => s.endsWith(`: ${name}`));

async function objectsIn(locationId: string): Promise<string[]> {
  const location = await db.location.findUniqueOrThrow({ where: { id: locationId } });
  const page = await createStorage(fullConfig(location)).list({});
  return page.objects.map((o) => o.key).sort();
}

let clock = Date.now();
/** One backup run to its end; each a second after the last, like runs an operator starts. */
async function backUp(databaseId: string, locationId: string) {
  clock += 1000;
  const started = await startBackupRun(
    { databaseId, label: "manual", locationId, trigger: "manual", requestedBy: actor.email, now: new Date(clock) },
    actor,
  );
  await started.done;
  await deliveriesSettled();
  return db.run.findUniqueOrThrow({ where: { id: started.runId } });
}

test("wrong password twice: one alert at the webhook and one e-mail; the next good backup: one resolved at each", async () => {
  const locationId = (await freshLocation("local", `bkalert-${tag}`, folders)).id;
  const name = uniqueName("bkalert-pw");
  const databaseId = await databaseEntry(conn, name, [locationId]);
  const path = `/pw-${tag}`;
  await channelsFor(databaseId, path);
  await sealDatabasePassword(databaseId, `wrong-${randomBytes(6).toString("hex")}`);

  for (let i = 0; i < 2; i++) {
    const run = await backUp(databaseId, locationId);
    expect(run.status).toBe("failed");
    expect(run.verdict).toMatch(/password authentication failed for user .+: check the database's password/);
    expect(await objectsIn(locationId)).toEqual([]);
  }
  expect(hooks(path)).toEqual([`alert backup_failed ${name}`]);
  expect(subjectsAbout(name)).toEqual([`[Lifeboat ALERT] Backup failed: ${name}`]);

  await sealDatabasePassword(databaseId, conn.password ?? "");
  const good = await backUp(databaseId, locationId);
  expect(good.status, good.verdict ?? "").toBe("succeeded");
  expect(hooks(path)).toEqual([`alert backup_failed ${name}`, `resolved backup_failed ${name}`]);
  expect(subjectsAbout(name)).toEqual([
    `[Lifeboat ALERT] Backup failed: ${name}`,
    `[Lifeboat resolved] Resolved: Backup failed: ${name}`,
  ]);
}, 180_000);

/**
 * A TCP relay to the S3 test server that Lifeboat's location points at. While it is "down" it
 * drops every connection after `cutAfter` bytes from the client (0: at once), so an upload that
 * has begun is cut mid-stream; "up" relays everything.
 */
async function relayTo(target: URL) {
  let cutAfter: number | null = 0;
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    if (cutAfter === 0) return void client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    let seen = 0;
    client.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (cutAfter !== null && seen > cutAfter) {
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** null: relay everything; n: cut each connection after n bytes from the client. */
    set: (n: number | null) => (cutAfter = n),
    /** Connections cut mid-stream so far. */
    cuts: () => cuts,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test("location unreachable, also mid-upload: no partial object, one alert at each; reachable again: one resolved", async () => {
  const s3 = testServices().s3;
  const bucketLocation = await freshLocation("s3", `bkalert-${tag}`, folders);
  const bucket = (
    JSON.parse((await db.location.findUniqueOrThrow({ where: { id: bucketLocation.id } })).config) as {
      bucket: string;
    }
  ).bucket;
  const relay = await relayTo(new URL(s3.endpoint));
  try {
    // Lifeboat writes through the relay; the test lists the bucket directly.
    const location = await saveLocation(
      saveLocationSchema.parse({
        name: uniqueName(`bkalert-relay-${tag}`),
        config: {
          kind: "s3",
          bucket,
          region: s3.region,
          endpoint: relay.endpoint,
          forcePathStyle: true,
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
          prefix: "pg/",
        },
      }),
    );
    const name = uniqueName("bkalert-unreach");
    const databaseId = await databaseEntry(conn, name, [location.id]);
    const path = `/unreach-${tag}`;
    await channelsFor(databaseId, path);

    // Refused outright.
    relay.set(0);
    const refused = await backUp(databaseId, location.id);
    expect(refused.status).toBe("failed");
    expect(refused.verdict).toMatch(/Could not reach http:\/\/127\.0\.0\.1:\d+/);
    expect(await objectsIn(bucketLocation.id)).toEqual([]);

    // Cut after the upload has begun: the bytes sent so far must not stay behind as an object.
    relay.set(20_000);
    const cut = await backUp(databaseId, location.id);
    expect(cut.status).toBe("failed");
    // More than 20 kB reached the relay before it cut: the upload had begun.
    expect(relay.cuts()).toBeGreaterThan(0);
    expect(await objectsIn(bucketLocation.id)).toEqual([]);
    expect(await db.backup.count({ where: { locationId: location.id } })).toBe(0);

    expect(hooks(path)).toEqual([`alert backup_failed ${name}`]);
    expect(subjectsAbout(name)).toEqual([`[Lifeboat ALERT] Backup failed: ${name}`]);

    relay.set(null);
    const good = await backUp(databaseId, location.id);
    expect(good.status, good.verdict ?? "").toBe("succeeded");
    expect((await objectsIn(bucketLocation.id)).length).toBe(2); // the dump and its manifest
    expect(hooks(path)).toEqual([`alert backup_failed ${name}`, `resolved backup_failed ${name}`]);
    expect(subjectsAbout(name)).toEqual([
      `[Lifeboat ALERT] Backup failed: ${name}`,
      `[Lifeboat resolved] Resolved: Backup failed: ${name}`,
    ]);
  } finally {
    await relay.close();
  }
}, 180_000);
