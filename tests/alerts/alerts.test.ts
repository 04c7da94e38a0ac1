import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";
import { configureAlertTimings, deliverDue, deliveriesSettled } from "@/lib/alerts/deliveries";
import { checkRpo } from "@/lib/alerts/rpo-check";
import { reconcileRunAlerts } from "@/lib/alerts/run-alerts";
import { verifySignature } from "@/lib/alerts/signature";
import { saveAlertChannelCommand, testAlertChannelCommand } from "@/lib/alerts/commands";
import { listChannels, listDeliveries } from "@/lib/alerts/queries";
import { startHttpReceiver, startSmtpReceiver, subjectOf } from "./receivers";

// Alerts end to end against real receivers on 127.0.0.1: an HTTP server for the webhook (its
// HMAC checked as the README tells a receiver to) and an SMTP server for the e-mails. Channels
// here are routed to this file's own databases, so alerts other test files raise meanwhile
// never reach these receivers.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomUUID().slice(0, 8);
const SIGNING_SECRET = `signing-secret-${tag}-0123456789`;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
const dbs: Record<"a" | "b" | "c" | "run", { id: string; name: string }> = {} as never;
let locationId: string;

async function database(name: string, rpoHours = 24) {
  const row = await db.database.create({
    data: { name: `${name}-${tag}`, host: "127.0.0.1", port: 9, dbName: "app", user: "app", rpoHours },
  });
  await db.databaseSource.create({ data: { databaseId: row.id, locationId, patterns: "*" } });
  return { id: row.id, name: row.name };
}

async function backup(databaseId: string, takenAt: Date, verificationState = "not_verified") {
  return db.backup.create({
    data: {
      locationId,
      key: `b_${randomUUID()}.sql.gz`,
      size: BigInt(100),
      lastModified: takenAt,
      takenAt,
      takenAtSource: "name",
      format: "plain_gzip",
      kind: "scheduled",
      databaseId,
      weekday: takenAt.getUTCDay(),
      dayOfMonth: takenAt.getUTCDate(),
      verificationState,
    },
  });
}

async function channel(
  name: string,
  databaseId: string,
  config: Parameters<typeof saveAlertChannelCommand>[0]["config"],
  events: Parameters<typeof saveAlertChannelCommand>[0]["events"] = [
    "backup_failed",
    "verification_failed",
    "rpo_breached",
    "restore_failed",
    "restore_waiting",
  ],
) {
  const r = await saveAlertChannelCommand({
    name: `${name}-${tag}`,
    events,
    allDatabases: false,
    databaseIds: [databaseId],
    config,
  });
  if (!r.ok) throw new Error(r.error);
  return r.data.id;
}

const webhook = (path: string) => ({ kind: "webhook" as const, url: http.url(path), signingSecret: SIGNING_SECRET });
const email = () => ({
  kind: "email" as const,
  host: "127.0.0.1",
  port: smtp.port,
  tls: "none" as const,
  from: "lifeboat@example.test",
  to: "oncall@example.test",
});

/** The webhook bodies one path received, each checked against its signature first. */
function hooks(path: string) {
  return http.requests
    .filter((r) => r.path === path)
    .map((r) => {
      const verdict = verifySignature({
        secret: SIGNING_SECRET,
        body: r.body,
        signature: r.headers["x-lifeboat-signature"] as string,
        timestamp: r.headers["x-lifeboat-timestamp"] as string,
      });
      expect(verdict).toEqual({ ok: true });
      return JSON.parse(r.body) as { type: string; event: string; database: string | null; title: string };
    });
}

const mailsAbout = (name: string) => smtp.mails.filter((m) => subjectOf(m.raw).includes(name));

beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver();
  const admin = await db.user.create({
    data: { email: `alerts-${tag}@example.test`, name: "Alerts admin", role: "admin" },
  });
  session.user = { id: admin.id, email: admin.email, name: admin.name, role: "admin" };
  const loc = await db.location.create({
    data: { name: `alerts-${tag}`, kind: "local", config: JSON.stringify({ kind: "local", path: "/tmp" }) },
  });
  locationId = loc.id;
  // The RPO is judged only once a location's catalog has been synced.
  await db.syncRun.create({ data: { locationId, trigger: "manual", status: "ok", finishedAt: new Date() } });
  dbs.a = await database("alerts-a");
  dbs.b = await database("alerts-b");
  dbs.c = await database("alerts-c", 24);
  dbs.run = await database("alerts-run");
  // Backoff short enough to watch, long enough to see that nothing is retried early.
  configureAlertTimings({ baseDelayMs: 60_000, maxAttempts: 4 });
});

beforeEach(async () => {
  await deliveriesSettled();
});

afterAll(async () => {
  await deliveriesSettled();
  await http.close();
  await smtp.close();
});

test("one alert per incident to the webhook and by e-mail, then exactly one resolved", async () => {
  await channel("hook-a", dbs.a.id, webhook(`/a-${tag}`));
  await channel("mail-a", dbs.a.id, email());
  const ref = { event: "backup_failed" as const, databaseId: dbs.a.id };

  for (let i = 0; i < 3; i++) {
    await raiseAlert({ ...ref, message: `pg_dump could not connect (attempt ${i + 1}).` });
    await deliveriesSettled();
  }
  expect(hooks(`/a-${tag}`).map((h) => [h.type, h.event, h.database])).toEqual([
    ["alert", "backup_failed", dbs.a.name],
  ]);
  expect(mailsAbout(dbs.a.name).map((m) => subjectOf(m.raw))).toEqual([
    `[Lifeboat ALERT] Backup failed: ${dbs.a.name}`,
  ]);
  expect(mailsAbout(dbs.a.name)[0]!.to).toEqual(["oncall@example.test"]);
  const incident = await db.alertIncident.findFirstOrThrow({ where: { event: "backup_failed", databaseId: dbs.a.id } });
  expect(incident.timesSeen).toBe(3);

  await resolveAlert({ ...ref, resolution: "The next backup succeeded." });
  await resolveAlert({ ...ref, resolution: "The next backup succeeded." });
  await deliveriesSettled();
  expect(hooks(`/a-${tag}`).map((h) => h.type)).toEqual(["alert", "resolved"]);
  expect(mailsAbout(dbs.a.name).map((m) => subjectOf(m.raw))).toEqual([
    `[Lifeboat ALERT] Backup failed: ${dbs.a.name}`,
    `[Lifeboat resolved] Resolved: Backup failed: ${dbs.a.name}`,
  ]);

  // The same problem later is a new incident with its own alert.
  await raiseAlert({ ...ref, message: "pg_dump failed again." });
  await deliveriesSettled();
  expect(hooks(`/a-${tag}`).map((h) => h.type)).toEqual(["alert", "resolved", "alert"]);
});

test("a receiver that first answers 500 gets the alert again after the backoff, not before", async () => {
  const path = `/b-${tag}`;
  const channelId = await channel("hook-b", dbs.b.id, webhook(path));
  http.answer(path, 500, 502);
  // A clock an hour ahead: nothing on the wall clock can make these retries due by accident.
  const t0 = new Date(Date.now() + 3_600_000);
  await raiseAlert({ event: "backup_failed", databaseId: dbs.b.id, message: "Location unreachable.", now: t0 });
  await deliveriesSettled();
  expect(http.requests.filter((r) => r.path === path)).toHaveLength(1);

  const at = (ms: number) => new Date(t0.getTime() + ms);
  await deliverDue({ now: at(59_999) });
  expect(http.requests.filter((r) => r.path === path)).toHaveLength(1);
  await deliverDue({ now: at(60_000) }); // first retry after 1 × base: 502
  expect(http.requests.filter((r) => r.path === path)).toHaveLength(2);
  await deliverDue({ now: at(60_000 + 119_999) });
  expect(http.requests.filter((r) => r.path === path)).toHaveLength(2);
  await deliverDue({ now: at(60_000 + 120_000) }); // second retry after 2 × base: 200
  expect(hooks(path).map((h) => h.type)).toEqual(["alert", "alert", "alert"]);

  const delivery = await db.alertDelivery.findFirstOrThrow({ where: { channelId }, include: { tries: true } });
  expect(delivery.status).toBe("delivered");
  expect(delivery.tries.map((t) => [t.ok, t.error])).toEqual([
    [false, `http://127.0.0.1:${new URL(http.url("/")).port} answered HTTP 500.`],
    [false, `http://127.0.0.1:${new URL(http.url("/")).port} answered HTTP 502.`],
    [true, null],
  ]);
  // The delivery log shows the same.
  const log = await listDeliveries({ channelId });
  expect(log.map((d) => [d.status, d.attempts, d.error])).toEqual([["delivered", 3, null]]);
});

test("retries stop after the last attempt and the delivery is marked failed", async () => {
  const path = `/b-fail-${tag}`;
  const channelId = await channel("hook-b-fail", dbs.b.id, webhook(path), ["retention_refused"]);
  http.answer(path, 500, 500, 500, 500, 500);
  const t0 = new Date(Date.now() + 7_200_000);
  await raiseAlert({ event: "retention_refused", databaseId: dbs.b.id, message: "The newest backup failed.", now: t0 });
  await deliveriesSettled();
  for (const wait of [60_000, 180_000, 420_000, 900_000, 1_900_000])
    await deliverDue({ now: new Date(t0.getTime() + wait) });
  expect(http.requests.filter((r) => r.path === path)).toHaveLength(4);
  const [d] = await listDeliveries({ channelId });
  expect(d).toMatchObject({ status: "failed", attempts: 4 });
  expect(d!.error).toMatch(/answered HTTP 500/);
});

test("the RPO dead-man switch fires with nothing running, and clears when a good backup appears", async () => {
  const path = `/c-${tag}`;
  await channel("hook-c", dbs.c.id, webhook(path));
  await channel("mail-c", dbs.c.id, email());
  const now = new Date(Date.now() + 10_800_000);
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  await backup(dbs.c.id, hoursAgo(30));
  // A newer one that failed verification does not count as good.
  await backup(dbs.c.id, hoursAgo(2), "failed");

  // A sync judges only the databases of the location it listed.
  expect((await checkRpo({ now, databaseIds: [] })).breached).toEqual([]);
  const first = await checkRpo({ now });
  expect(first.breached).toContain(dbs.c.id);
  await checkRpo({ now: new Date(now.getTime() + 5 * 60_000) });
  await deliveriesSettled();
  const alerts = hooks(path);
  expect(alerts.map((h) => [h.type, h.event])).toEqual([["alert", "rpo_breached"]]);
  expect(alerts[0]!.title).toBe(`No good backup within the RPO: ${dbs.c.name}`);
  expect(mailsAbout(dbs.c.name)).toHaveLength(1);
  expect(mailsAbout(dbs.c.name)[0]!.raw).toContain("RPO of 24 h");

  await backup(dbs.c.id, hoursAgo(1));
  const after = await checkRpo({ now });
  expect(after.breached).not.toContain(dbs.c.id);
  await deliveriesSettled();
  expect(hooks(path).map((h) => h.type)).toEqual(["alert", "resolved"]);
  expect(mailsAbout(dbs.c.name).map((m) => subjectOf(m.raw))).toEqual([
    `[Lifeboat ALERT] No good backup within the RPO: ${dbs.c.name}`,
    `[Lifeboat resolved] Resolved: No good backup within the RPO: ${dbs.c.name}`,
  ]);
});

test("a restore run that fails or waits for a person alerts once, and resolves when it goes on", async () => {
  const path = `/run-${tag}`;
  await channel("hook-run", dbs.run.id, webhook(path));
  const run = await db.run.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: dbs.run.id,
      status: "waiting",
      plan: "{}",
      planHash: "x",
      createdBy: "ops@example.test",
    },
  });
  await reconcileRunAlerts(run.id);
  await reconcileRunAlerts(run.id);
  await db.run.update({ where: { id: run.id }, data: { status: "failed", verdict: "Step 2 failed: disk full." } });
  await reconcileRunAlerts(run.id);
  await db.run.update({ where: { id: run.id }, data: { status: "cancelled" } });
  await reconcileRunAlerts(run.id);
  await deliveriesSettled();
  // Sent concurrently, so compared as a set: each exactly once.
  expect(
    hooks(path)
      .map((h) => `${h.type} ${h.event}`)
      .sort(),
  ).toEqual(["alert restore_failed", "alert restore_waiting", "resolved restore_failed", "resolved restore_waiting"]);
});

test("Send test reports the outcome at once and does not retry a failure", async () => {
  const path = `/test-${tag}`;
  const id = await channel("hook-test", dbs.a.id, webhook(path), ["backup_failed"]);
  const ok = await testAlertChannelCommand({ id });
  expect(ok).toMatchObject({ ok: true, data: { ok: true } });
  expect(hooks(path).map((h) => h.type)).toEqual(["test"]);

  http.answer(path, 500);
  const bad = await testAlertChannelCommand({ id });
  expect(bad.ok && bad.data).toMatchObject({ ok: false, error: expect.stringMatching(/answered HTTP 500/) });
  await deliverDue({ now: new Date(Date.now() + 86_400_000) });
  expect(http.requests.filter((r) => r.path === path)).toHaveLength(2);
  const log = await listDeliveries({ channelId: id });
  expect(log.map((d) => [d.kind, d.status])).toEqual([
    ["test", "failed"],
    ["test", "delivered"],
  ]);
});

test("the channel list shows where a webhook goes without its path, token or signing secret", async () => {
  const secretPath = `/services/T000/B000/XXXX-token-${tag}`;
  await channel("slack-secret", dbs.a.id, { kind: "slack", url: http.url(`${secretPath}?token=q-${tag}`) });
  const listed = JSON.stringify(await listChannels());
  expect(listed).not.toContain(`token-${tag}`);
  expect(listed).not.toContain(`q-${tag}`);
  expect(listed).not.toContain(SIGNING_SECRET);
  expect(listed).toContain(`http://127.0.0.1:${new URL(http.url("/")).port}/…`);
});

test("a database whose location has never finished a sync is not judged yet", async () => {
  const fresh = await db.location.create({
    data: { name: `alerts-fresh-${tag}`, kind: "local", config: JSON.stringify({ kind: "local", path: "/tmp" }) },
  });
  const d = await db.database.create({
    data: { name: `alerts-fresh-${tag}`, host: "127.0.0.1", port: 9, dbName: "app", user: "app" },
  });
  await db.databaseSource.create({ data: { databaseId: d.id, locationId: fresh.id, patterns: "*" } });
  const now = new Date(Date.now() + 10_800_000);
  expect((await checkRpo({ now, databaseIds: [d.id] })).breached).not.toContain(d.id);
  await db.syncRun.create({ data: { locationId: fresh.id, trigger: "manual", status: "ok", finishedAt: new Date() } });
  expect((await checkRpo({ now, databaseIds: [d.id] })).breached).toContain(d.id);
});
