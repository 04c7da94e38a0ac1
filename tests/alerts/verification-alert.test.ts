import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { startVerification } from "@/lib/backups/verify-job";
import { saveAlertChannelCommand } from "@/lib/alerts/commands";
import { deliveriesSettled } from "@/lib/alerts/deliveries";
import { reconcileVerificationAlerts } from "@/lib/alerts/verification-alerts";
import { startHttpReceiver } from "./receivers";

// The verification job raises the alert itself: a real backup file in a real local location,
// truncated, verified through the same job the Verify button starts; then the file is whole
// again, verified again, and the incident resolves.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomUUID().slice(0, 8);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-verify-alert-"));
const KEY = `va_backup_20261201_020000.sql.gz`;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let admin: SessionUser;
let backupId: string;
let databaseId: string;

const whole = zlib.gzipSync(Buffer.from("SELECT 1;\n\n-- PostgreSQL database dump complete\n\n"));

function writeBackup(bytes: Buffer) {
  fs.writeFileSync(path.join(dir, KEY), bytes);
  return db.backup.update({ where: { id: backupId }, data: { size: BigInt(bytes.length) } });
}

/** The incident as the job leaves it: how often it was seen, and whether it is resolved. */
async function incident() {
  const row = await db.alertIncident.findFirst({ where: { subject: backupId }, orderBy: { openedAt: "desc" } });
  return row && `${row.timesSeen} ${row.resolvedAt ? "resolved" : "open"}`;
}

/** Verifies through the job and waits until the job has also recorded the alert side (`expected`). */
async function verify(expected: string): Promise<string> {
  const { verificationId } = await startVerification({ id: backupId }, admin);
  for (let i = 0; i < 400; i++) {
    const v = await db.verification.findUniqueOrThrow({ where: { id: verificationId } });
    if (v.finishedAt && (await incident()) === expected) {
      await deliveriesSettled();
      return v.status;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the verification did not finish with the incident "${expected}" (it is "${await incident()}")`);
}

beforeAll(async () => {
  http = await startHttpReceiver();
  const user = await db.user.create({ data: { email: `va-${tag}@example.test`, name: "VA", role: "admin" } });
  admin = { id: user.id, email: user.email, name: user.name, role: "admin" };
  session.user = admin;
  const loc = await db.location.create({
    data: { name: `va-${tag}`, kind: "local", config: JSON.stringify({ kind: "local", path: dir }) },
  });
  const database = await db.database.create({
    data: { name: `va-${tag}`, host: "127.0.0.1", port: 9, dbName: "app", user: "app" },
  });
  databaseId = database.id;
  const takenAt = new Date("2026-12-01T02:00:00Z");
  const row = await db.backup.create({
    data: {
      locationId: loc.id,
      key: KEY,
      size: BigInt(0),
      lastModified: takenAt,
      takenAt,
      takenAtSource: "name",
      format: "plain_gzip",
      kind: "scheduled",
      databaseId,
      weekday: takenAt.getUTCDay(),
      dayOfMonth: takenAt.getUTCDate(),
    },
  });
  backupId = row.id;
  const saved = await saveAlertChannelCommand({
    name: `va-${tag}`,
    events: ["verification_failed"],
    allDatabases: false,
    databaseIds: [databaseId],
    config: { kind: "webhook", url: http.url(`/va-${tag}`), signingSecret: `va-secret-${tag}-000000` },
  });
  if (!saved.ok) throw new Error(saved.error);
});

afterAll(async () => {
  await http.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a failed verification alerts once; the backup passing later resolves it", async () => {
  // Only this test's messages: the other test may have run first on the same backup.
  const from = http.requests.length;
  await writeBackup(whole.subarray(0, whole.length - 12));
  expect(await verify("1 open")).toBe("failed");
  expect(await verify("2 open")).toBe("failed");
  const bodies = () =>
    http.requests.slice(from).map((r) => JSON.parse(r.body) as { type: string; event: string; message: string });
  expect(bodies().map((b) => `${b.type} ${b.event}`)).toEqual(["alert verification_failed"]);
  expect(bodies()[0]!.message).toContain(KEY);

  await writeBackup(whole);
  expect(await verify("2 resolved")).toBe("passed");
  expect(bodies().map((b) => `${b.type} ${b.event}`)).toEqual([
    "alert verification_failed",
    "resolved verification_failed",
  ]);
});

test("an open verification incident ends when its backup vanishes from the location", async () => {
  await writeBackup(whole.subarray(0, 20));
  expect(await verify("1 open")).toBe("failed");
  await db.backup.update({ where: { id: backupId }, data: { vanishedAt: new Date() } });
  await reconcileVerificationAlerts();
  expect(await incident()).toBe("1 resolved");
  await deliveriesSettled();
  await db.backup.update({ where: { id: backupId }, data: { vanishedAt: null } });
});
