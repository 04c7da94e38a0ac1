import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { saveAlertChannelCommand, testAlertChannelCommand } from "@/lib/alerts/commands";
import { listChannels } from "@/lib/alerts/queries";
import { channelSecrets } from "@/lib/alerts/channel-store";
import { startHttpReceiver, startSmtpReceiver } from "./receivers";

// A channel's secrets are write-only. An admin must not get them back by pointing the channel
// at a server they control and pressing "Send test": the SMTP password stays with the host,
// port and user it was typed for, and a webhook's signing secret with the URL's origin. The
// second SMTP server here stands in for that attacker and records every login it sees.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomUUID().slice(0, 8);
const PASSWORD = `smtp-LEAKME-${tag}`;
let real: Awaited<ReturnType<typeof startSmtpReceiver>>;
let attacker: Awaited<ReturnType<typeof startSmtpReceiver>>;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;

beforeAll(async () => {
  real = await startSmtpReceiver();
  attacker = await startSmtpReceiver();
  http = await startHttpReceiver();
  const user = await db.user.create({ data: { email: `chan-${tag}@example.test`, name: "Admin", role: "admin" } });
  session.user = { id: user.id, email: user.email, name: user.name, role: "admin" };
});

afterAll(async () => {
  await real.close();
  await attacker.close();
  await http.close();
});

const mail = (port: number, password = "") => ({
  kind: "email" as const,
  host: "127.0.0.1",
  port,
  tls: "none" as const,
  user: "lifeboat",
  password,
  from: "lifeboat@example.test",
  to: "oncall@example.test",
});

async function save(input: Parameters<typeof saveAlertChannelCommand>[0]) {
  const r = await saveAlertChannelCommand(input);
  if (!r.ok) throw new Error(r.error);
  return r.data;
}

test("an e-mail channel moved to another SMTP server does not take its stored password along", async () => {
  const name = `mail-${tag}`;
  const base = { name, events: ["rpo_breached" as const], allDatabases: true };
  const saved = await save({ ...base, config: mail(real.port, PASSWORD) });
  expect(await testAlertChannelCommand({ id: saved.id })).toMatchObject({ ok: true, data: { ok: true } });
  expect(real.logins).toEqual([{ username: "lifeboat", password: PASSWORD }]);

  // Same host and user, other port, password left empty ("keep the stored one").
  const moved = await save({ ...base, id: saved.id, config: mail(attacker.port) });
  expect(moved.secretsDropped).toEqual(["password"]);
  await testAlertChannelCommand({ id: saved.id });
  expect(JSON.stringify(attacker.logins)).not.toContain(PASSWORD);

  // Editing without moving keeps it.
  const row = await db.alertChannel.findUniqueOrThrow({ where: { id: saved.id } });
  expect(channelSecrets(row).password).toBeUndefined();
  await save({ ...base, id: saved.id, config: mail(real.port, PASSWORD) });
  await save({ ...base, id: saved.id, config: { ...mail(real.port), to: "other@example.test" } });
  const kept = await db.alertChannel.findUniqueOrThrow({ where: { id: saved.id } });
  expect(channelSecrets(kept).password).toBe(PASSWORD);
});

test("a webhook moved to another origin needs its signing secret typed again", async () => {
  const secret = `webhook-secret-LEAKME-${tag}`;
  const base = { name: `hook-${tag}`, events: ["backup_failed" as const], allDatabases: true };
  const saved = await save({ ...base, config: { kind: "webhook", url: http.url("/in"), signingSecret: secret } });
  const r = await saveAlertChannelCommand({
    ...base,
    id: saved.id,
    config: { kind: "webhook", url: "https://attacker.example/in" },
  });
  expect(r).toMatchObject({ ok: false, status: 400 });
  expect(!r.ok && r.issues?.[0]?.path).toBe("config.signingSecret");
  // Same origin, another path: the secret stays (it never leaves the console, only signatures do).
  const samePlace = await save({ ...base, id: saved.id, config: { kind: "webhook", url: http.url("/other") } });
  expect(samePlace.secretFields.sort()).toEqual(["signingSecret", "url"]);
});

test.each([
  ["javascript:alert(1)", "Only http:// and https:// URLs"],
  ["file:///etc/passwd", "Only http:// and https:// URLs"],
  ["https://user:pass@hooks.example/x", "Leave the user name and password out"],
  ["not a url", "Enter a full URL"],
])("a hostile URL %s is refused", async (url, message) => {
  const r = await saveAlertChannelCommand({
    name: `bad-${randomUUID().slice(0, 6)}`,
    events: ["backup_failed"],
    allDatabases: true,
    config: { kind: "slack", url },
  });
  expect(r.ok).toBe(false);
  expect(!r.ok && r.issues?.map((i) => i.message).join()).toContain(message);
});

test("nothing secret comes back in the channel list", async () => {
  const listed = JSON.stringify(await listChannels());
  expect(listed).not.toContain("LEAKME");
});

test("only an admin manages channels", async () => {
  const previous = session.user;
  session.user = { id: "x", email: "op@example.test", name: "op", role: "operator" };
  try {
    const r = await saveAlertChannelCommand({
      name: `op-${tag}`,
      events: ["backup_failed"],
      allDatabases: true,
      config: { kind: "slack", url: "https://hooks.example/x" },
    });
    expect(r).toMatchObject({ ok: false, status: 403 });
    await expect(listChannels()).rejects.toThrow(/admin/);
  } finally {
    session.user = previous;
  }
});
