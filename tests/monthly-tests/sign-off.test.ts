import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import type { Role } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import {
  addTestRemarkCommand,
  closeTestActionCommand,
  countersignTestCommand,
  signTestCommand,
} from "@/lib/monthly-tests/sign-off/commands";

// The sign-off attacked through the real commands (role → input → rule → handler → audit event)
// on Lifeboat's real SQLite database. Only the session is faked: who is signed in.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomUUID().slice(0, 8);
type Person = "operator" | "approver" | "approver2" | "viewer";
const people = {} as Record<Person, SessionUser>;
const as = (who: Person) => (session.user = people[who]);
let databaseId = "";
const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

async function makeTest(status: "passed" | "failed" | "partial" | "running", createdBy = people.operator.email) {
  return db.backupTest.create({
    data: {
      databaseId,
      month: "2026-11",
      status,
      rtoMinutes: 60,
      restoreMs: 12_000,
      backupKey: "x_backup_20261102_020000.dump",
      backupSizeBytes: 1234n,
      finishedAt: status === "running" ? null : new Date(),
      createdBy,
    },
  });
}

const audits = (testId: string, action: string) => db.auditEvent.count({ where: { targetId: testId, action } });

beforeAll(async () => {
  const make = async (who: Person, role: Role) => {
    const u = await db.user.create({ data: { email: `${who}-${tag}@example.test`, name: who, role } });
    people[who] = { id: u.id, email: u.email, name: u.name, role };
  };
  await make("operator", "operator");
  await make("approver", "approver");
  await make("approver2", "approver");
  await make("viewer", "viewer");
  databaseId = (
    await db.database.create({
      data: {
        name: `signoff-${tag}`,
        environment: "production",
        host: "127.0.0.1",
        port: 5432,
        dbName: "x",
        user: "x",
      },
    })
  ).id;
});

describe("signing a failed or partial test", () => {
  test.each(["failed", "partial"] as const)(
    "a %s test is refused without a reason and an action item, and nothing is written",
    async (status) => {
      const t = await makeTest(status);
      as("operator");
      for (const input of [
        { testId: t.id },
        { testId: t.id, reason: "The restore was slower than the RTO allows." },
        { testId: t.id, reason: "short", actions: [{ text: "Add an index", owner: "ops", dueDate: inAMonth }] },
      ]) {
        const r = await signTestCommand(input);
        expect(r).toMatchObject({ ok: false, status: 409 });
        expect((r as { error: string }).error).toMatch(/signing it needs/);
      }
      const after = await db.backupTest.findUniqueOrThrow({ where: { id: t.id } });
      expect(after.performedBy).toBeNull();
      expect(await db.backupTestAction.count({ where: { testId: t.id } })).toBe(0);
      expect(await audits(t.id, "monthly_test.sign")).toBe(0);
    },
  );

  test("an action item without an owner or with a past due date is refused", async () => {
    const t = await makeTest("failed");
    as("operator");
    const reason = "The backup was corrupted: gzip stream ends early.";
    expect(
      await signTestCommand({
        testId: t.id,
        reason,
        actions: [{ text: "Fix the upload", owner: " ", dueDate: inAMonth }],
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await signTestCommand({
        testId: t.id,
        reason,
        actions: [{ text: "Fix the upload", owner: "ops", dueDate: "2020-01-01" }],
      }),
    ).toMatchObject({ ok: false, status: 409, error: expect.stringMatching(/has passed/) });
  });

  test("with a reason and an action item it is signed; the action item is open; one audit event", async () => {
    const t = await makeTest("failed");
    as("operator");
    const r = await signTestCommand({
      testId: t.id,
      reason: "The backup was corrupted: gzip stream ends early.",
      actions: [{ text: "Find why uploads are cut", owner: "ops@example.test", dueDate: inAMonth }],
    });
    expect(r).toMatchObject({ ok: true, data: { testId: t.id, actionItems: 1 } });
    const after = await db.backupTest.findUniqueOrThrow({ where: { id: t.id }, include: { actions: true } });
    expect(after).toMatchObject({ performedBy: people.operator.email, signReason: expect.stringMatching(/corrupted/) });
    expect(after.performedAt).toBeInstanceOf(Date);
    expect(after.actions).toEqual([
      expect.objectContaining({ owner: "ops@example.test", closedAt: null, text: "Find why uploads are cut" }),
    ]);
    expect(await audits(t.id, "monthly_test.sign")).toBe(1);
  });
});

describe("signatures", () => {
  test("a viewer signs nothing; a running test is not signed", async () => {
    const t = await makeTest("passed");
    as("viewer");
    expect(await signTestCommand({ testId: t.id })).toMatchObject({ ok: false, status: 403 });
    expect(await addTestRemarkCommand({ testId: t.id, text: "hello" })).toMatchObject({ ok: false, status: 403 });
    const running = await makeTest("running");
    as("operator");
    expect(await signTestCommand({ testId: running.id })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringMatching(/still running/),
    });
  });

  test("countersigning: not by an operator, not before the signature, not by the performer; then locked", async () => {
    // Run by the scheduler, signed by approver (as reviewer), so the approver-performer is the attack.
    const t = await makeTest("passed", "scheduler");
    as("approver");
    expect(await countersignTestCommand({ testId: t.id })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringMatching(/Nobody has signed/),
    });
    expect(await signTestCommand({ testId: t.id })).toMatchObject({ ok: true });
    expect(await signTestCommand({ testId: t.id })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringMatching(/already signed as performed by/),
    });
    // The performer countersigning their own test.
    expect(await countersignTestCommand({ testId: t.id })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringMatching(/cannot countersign it/),
    });
    as("operator");
    expect(await countersignTestCommand({ testId: t.id })).toMatchObject({ ok: false, status: 403 });
    expect((await db.backupTest.findUniqueOrThrow({ where: { id: t.id } })).lockedAt).toBeNull();

    as("approver2");
    expect(await countersignTestCommand({ testId: t.id })).toMatchObject({ ok: true });
    const after = await db.backupTest.findUniqueOrThrow({ where: { id: t.id } });
    expect(after.countersignedBy).toBe(people.approver2.email);
    expect(after.countersignedAt).toBeInstanceOf(Date);
    expect(after.lockedAt).toEqual(after.countersignedAt);
    expect(await audits(t.id, "monthly_test.countersign")).toBe(1);
  });

  test("whoever ran the test does not countersign it either", async () => {
    const t = await makeTest("passed", people.approver.email);
    as("operator");
    expect(await signTestCommand({ testId: t.id })).toMatchObject({ ok: true });
    as("approver");
    expect(await countersignTestCommand({ testId: t.id })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringMatching(/ran this test/),
    });
  });
});

describe("a locked record", () => {
  async function lockedFailedTest() {
    const t = await makeTest("failed");
    as("operator");
    expect(
      await signTestCommand({
        testId: t.id,
        reason: "Restore took longer than the RTO.",
        actions: [{ text: "Faster disks", owner: "infra", dueDate: inAMonth }],
      }),
    ).toMatchObject({ ok: true });
    as("approver");
    expect(await countersignTestCommand({ testId: t.id })).toMatchObject({ ok: true });
    return t;
  }

  test("every command refuses to change it; remarks are appended", async () => {
    const t = await lockedFailedTest();
    as("operator");
    expect(await signTestCommand({ testId: t.id, reason: "another reason here" })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringMatching(/locked/),
    });
    as("approver2");
    expect(await countersignTestCommand({ testId: t.id })).toMatchObject({ ok: false, status: 409 });
    as("operator");
    expect(await addTestRemarkCommand({ testId: t.id, text: "Checked again on the 3rd: fine." })).toMatchObject({
      ok: true,
      data: { locked: true },
    });
    const remarks = await db.backupTestRemark.findMany({ where: { testId: t.id } });
    expect(remarks).toEqual([
      expect.objectContaining({ by: people.operator.email, text: "Checked again on the 3rd: fine." }),
    ]);
    expect(await audits(t.id, "monthly_test.remark")).toBe(1);
  });

  test("the database itself refuses an update or delete of the record, its remarks and its action items", async () => {
    const t = await lockedFailedTest();
    await expect(db.backupTest.update({ where: { id: t.id }, data: { status: "passed" } })).rejects.toThrow(/locked/);
    await expect(db.backupTest.update({ where: { id: t.id }, data: { signReason: "edited" } })).rejects.toThrow(
      /locked/,
    );
    await expect(db.backupTest.update({ where: { id: t.id }, data: { lockedAt: null } })).rejects.toThrow(/locked/);
    await expect(db.backupTest.delete({ where: { id: t.id } })).rejects.toThrow(/locked/);
    // Dropping the kept scratch database later is still written down.
    await db.backupTest.update({ where: { id: t.id }, data: { scratchDroppedAt: new Date() } });
    const remark = await db.backupTestRemark.create({ data: { testId: t.id, text: "first", by: "x" } });
    // Prisma reports these triggers' aborts under another name; what counts is that nothing changed.
    await expect(db.backupTestRemark.update({ where: { id: remark.id }, data: { text: "changed" } })).rejects.toThrow();
    await expect(db.backupTestRemark.delete({ where: { id: remark.id } })).rejects.toThrow();
    expect(await db.backupTestRemark.findUniqueOrThrow({ where: { id: remark.id } })).toMatchObject({ text: "first" });
    const action = await db.backupTestAction.findFirstOrThrow({ where: { testId: t.id } });
    await expect(
      db.backupTestAction.update({ where: { id: action.id }, data: { dueDate: new Date("2030-01-01") } }),
    ).rejects.toThrow();
    await expect(db.backupTestAction.delete({ where: { id: action.id } })).rejects.toThrow();
    expect(await db.backupTestAction.findUniqueOrThrow({ where: { id: action.id } })).toEqual(action);
    const still = await db.backupTest.findUniqueOrThrow({ where: { id: t.id } });
    expect(still).toMatchObject({ status: "failed", signReason: "Restore took longer than the RTO." });
  });

  test("its action item is closed once, with who and when, and a remark says so", async () => {
    const t = await lockedFailedTest();
    const action = await db.backupTestAction.findFirstOrThrow({ where: { testId: t.id } });
    as("viewer");
    expect(await closeTestActionCommand({ actionId: action.id })).toMatchObject({ ok: false, status: 403 });
    as("operator");
    expect(await closeTestActionCommand({ actionId: action.id, note: "disks replaced" })).toMatchObject({ ok: true });
    expect(await closeTestActionCommand({ actionId: action.id })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringMatching(/already closed/),
    });
    const closed = await db.backupTestAction.findUniqueOrThrow({ where: { id: action.id } });
    expect(closed.closedBy).toBe(people.operator.email);
    expect(closed.closedAt).toBeInstanceOf(Date);
    await expect(db.backupTestAction.update({ where: { id: action.id }, data: { closedAt: null } })).rejects.toThrow();
    expect((await db.backupTestAction.findUniqueOrThrow({ where: { id: action.id } })).closedAt).toEqual(
      closed.closedAt,
    );
    expect(await db.backupTestRemark.count({ where: { testId: t.id, text: { contains: "disks replaced" } } })).toBe(1);
    expect(await audits(t.id, "monthly_test.close_action")).toBe(1);
  });
});
