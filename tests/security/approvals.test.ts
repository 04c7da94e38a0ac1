import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import type { Role } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto/key";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createDatabase, dropDatabase, testConnection } from "@/lib/postgres/test-support";
import { setApprovalClock } from "@/lib/approvals/config";
import { approveCommand, breakGlassCommand, declineCommand, requestApprovalCommand } from "@/lib/approvals/commands";
import { approvalsWaitingForMe, pendingApprovals, recentBreakGlass } from "@/lib/approvals/queries";
import { completeStepCommand, dropOldCopyCommand } from "@/lib/restores/commands";
import { configureRunner, type RunnerTimings } from "@/lib/runner/config";
import { drainExecutions } from "@/lib/runner/execute";
import { createRun, confirmAndStart } from "@/lib/runner/runs";
import type { Plan } from "@/lib/runner/types";

// The two-person rule, attacked through the real commands (role → input → rule → handler →
// audit) on Lifeboat's real SQLite database and, for dropping a kept copy, a real database on
// the test PostgreSQL server. Only the session is faked: who is signed in.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const tag = randomUUID().slice(0, 8);
const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
type Person = "planner" | "approver" | "operator" | "admin" | "viewer";
const people = {} as Record<Person, SessionUser>;
const as = (who: Person) => (session.user = people[who]);
const created: string[] = [];
let locationId = "";
let timings: RunnerTimings;

beforeAll(async () => {
  timings = configureRunner({ renewMs: 200, leaseMs: 5_000, waitPollMs: 100 });
  const make = async (who: Person, role: Role) => {
    const u = await db.user.create({ data: { email: `${who}-${tag}@example.test`, name: who, role } });
    people[who] = { id: u.id, email: u.email, name: u.name, role };
  };
  // The planner is an approver too: the attack is one approver alone planning, confirming and
  // approving a production switch-over.
  await make("planner", "approver");
  await make("approver", "approver");
  await make("operator", "operator");
  await make("admin", "admin");
  await make("viewer", "viewer");
  locationId = (
    await db.location.create({
      data: { name: `approvals-${tag}`, kind: "local", config: JSON.stringify({ path: "/tmp", prefix: "" }) },
    })
  ).id;
});

afterAll(async () => {
  await drainExecutions();
  configureRunner(timings);
  for (const name of created) await dropDatabase(name);
});

let restoreClock: (() => Date) | null = null;
beforeEach(() => {
  session.user = null;
});
afterEach(() => {
  if (restoreClock) setApprovalClock(restoreClock);
  restoreClock = null;
});

async function database(environment: "production" | "staging") {
  const pg = testConnection();
  const row = await db.database.create({
    data: {
      name: `approvals-${environment}-${randomUUID().slice(0, 8)}`,
      environment,
      host: pg.host,
      port: pg.port,
      dbName: pg.database,
      user: pg.user,
      sslmode: "disable",
    },
  });
  await db.database.update({
    where: { id: row.id },
    data: { passwordEnc: seal(pg.password ?? "", { table: "Database", id: row.id, field: "passwordEnc" }) },
  });
  return row;
}

async function backup(databaseId: string) {
  const takenAt = new Date("2026-11-01T02:00:00Z");
  return db.backup.create({
    data: {
      locationId,
      key: `amani_backup_${randomUUID()}.dump`,
      size: BigInt(4096),
      etag: `"etag-${randomUUID().slice(0, 8)}"`,
      lastModified: takenAt,
      takenAt,
      takenAtSource: "name",
      format: "custom",
      kind: "scheduled",
      databaseId,
      weekday: takenAt.getUTCDay(),
      dayOfMonth: takenAt.getUTCDate(),
      verificationState: "verified",
      lastVerifiedAt: takenAt,
    },
  });
}

/** A run planned and confirmed by `by`, downloaded (sha256 SHA_A), waiting at its confirmation step (index 1). */
async function waitingRun(
  environment: "production" | "staging",
  key: "confirm-switch-over" | "confirm-copy-back" = "confirm-switch-over",
  by: Person = "planner",
) {
  const target = await database(environment);
  const b = await backup(target.id);
  const run = await db.run.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: target.id,
      backupId: b.id,
      status: "waiting",
      plan: JSON.stringify({ scenarioId: "database-corruption", scenarioVersion: 1, steps: [], summary: {} }),
      planHash: "1".repeat(64),
      createdBy: people[by].email,
      confirmedBy: people[by].email,
      confirmedAt: new Date(),
      steps: {
        create: [
          {
            index: 0,
            key: "download",
            title: "Download the backup",
            kind: "automatic",
            status: "succeeded",
            result: JSON.stringify({
              path: "/tmp/x",
              bytes: 4096,
              sha256: SHA_A,
              matchesManifest: null,
              durationMs: 1,
            }),
          },
          { index: 1, key, title: "Confirm", kind: "confirmation", status: "waiting" },
          { index: 2, key: "switch-over", title: "Switch over", kind: "automatic", status: "pending" },
        ],
      },
    },
  });
  return { runId: run.id, databaseId: target.id, backupId: b.id };
}

const stepStatus = async (runId: string, index = 1) =>
  (await db.runStep.findUniqueOrThrow({ where: { runId_index: { runId, index } } })).status;

async function requested(runId: string, action: "run.switch-over" | "run.copy-back" | "run.drop-old-copy") {
  as("operator");
  const r = await requestApprovalCommand({ action, subjectId: runId });
  if (!r.ok) throw new Error(`request refused: ${r.error}`);
  return r.data.approvalId;
}

async function approved(runId: string, action: "run.switch-over" | "run.copy-back" | "run.drop-old-copy") {
  const approvalId = await requested(runId, action);
  as("approver");
  const r = await approveCommand({ approvalId });
  if (!r.ok) throw new Error(`approval refused: ${r.error}`);
  return approvalId;
}

describe("self-approval", () => {
  test("an approver who planned and confirmed a production run cannot confirm its switch-over alone", async () => {
    const { runId } = await waitingRun("production");
    as("planner");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringContaining("needs a second person's approval"),
    });
    expect(await stepStatus(runId)).toBe("waiting");
  });

  test("nor approve their own run's request, whoever made it; a second approver can", async () => {
    const { runId } = await waitingRun("production");
    as("planner");
    const asked = await requestApprovalCommand({ action: "run.switch-over", subjectId: runId });
    expect(asked.ok).toBe(true);
    const approvalId = asked.ok ? asked.data.approvalId : "";
    expect(await approveCommand({ approvalId })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringContaining("cannot approve it"),
    });
    // The operator's request on the planner's run: the planner still may not approve it.
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringContaining("Waiting for an approver"),
    });
    expect((await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe("pending");

    as("approver");
    expect(await approveCommand({ approvalId })).toMatchObject({ ok: true });
    as("planner");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toEqual({ ok: true, data: { runId, stepIndex: 1 } });
    expect(await stepStatus(runId)).toBe("succeeded");
    expect(await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).toMatchObject({
      status: "used",
      usedBy: people.planner.email,
    });
  });

  test("the approver who requested it cannot approve it either", async () => {
    const { runId } = await waitingRun("production", "confirm-switch-over", "operator");
    as("approver");
    const asked = await requestApprovalCommand({ action: "run.switch-over", subjectId: runId });
    const approvalId = asked.ok ? asked.data.approvalId : "";
    expect(await approveCommand({ approvalId })).toMatchObject({ ok: false, status: 403 });
  });

  test("an operator cannot approve at all (403 before anything is read)", async () => {
    const { runId } = await waitingRun("production");
    const approvalId = await requested(runId, "run.switch-over");
    as("operator");
    expect(await approveCommand({ approvalId })).toMatchObject({ ok: false, status: 403 });
  });
});

describe("an approval is bound to what was approved", () => {
  test("refused after the plan changed; nothing is used, the step still waits", async () => {
    const { runId } = await waitingRun("production");
    const approvalId = await approved(runId, "run.switch-over");
    await db.run.update({ where: { id: runId }, data: { planHash: "2".repeat(64) } });
    as("operator");
    const r = await completeStepCommand({ runId, stepIndex: 1 });
    expect(r).toMatchObject({ ok: false, status: 403, error: expect.stringContaining("the plan changed") });
    expect(await stepStatus(runId)).toBe("waiting");
    expect((await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe("approved");
  });

  test("refused after the backup's sha256 changed (a resume downloaded other bytes)", async () => {
    const { runId } = await waitingRun("production");
    await approved(runId, "run.switch-over");
    await db.runStep.update({
      where: { runId_index: { runId, index: 0 } },
      data: { result: JSON.stringify({ path: "/tmp/x", bytes: 4096, sha256: SHA_B, durationMs: 1 }) },
    });
    as("operator");
    const r = await completeStepCommand({ runId, stepIndex: 1 });
    expect(r).toMatchObject({ ok: false, status: 403, error: expect.stringContaining("the backup's sha256 changed") });
    expect(await stepStatus(runId)).toBe("waiting");
  });

  test("refused after the backup object changed in its location (etag, size)", async () => {
    const { runId, backupId } = await waitingRun("production");
    await approved(runId, "run.switch-over");
    await db.backup.update({ where: { id: backupId }, data: { etag: '"replaced"', size: BigInt(5000) } });
    as("operator");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining("the backup object changed in its location"),
    });
  });

  test("refused after the target's host, port or database changed", async () => {
    const { runId, databaseId } = await waitingRun("production");
    await approved(runId, "run.switch-over");
    await db.database.update({ where: { id: databaseId }, data: { dbName: "other_database" } });
    as("operator");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining("the target changed"),
    });
  });

  test("an approval is for its own action only, and is used once", async () => {
    const { runId } = await waitingRun("production");
    await approved(runId, "run.switch-over");
    as("operator");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({ ok: true });
    // The same step waiting again (a resumed run): the used approval does not allow it twice.
    await db.runStep.update({ where: { runId_index: { runId, index: 1 } }, data: { status: "waiting" } });
    await db.run.update({ where: { id: runId }, data: { status: "waiting" } });
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringContaining("already used"),
    });
    // Nor can a switch-over's approval drop anything.
    expect(await db.approval.count({ where: { subjectId: runId, action: "run.drop-old-copy" } })).toBe(0);
  });

  test("approving a request whose facts changed since it was asked is refused", async () => {
    const { runId } = await waitingRun("production");
    const approvalId = await requested(runId, "run.switch-over");
    await db.run.update({ where: { id: runId }, data: { planHash: "3".repeat(64) } });
    as("approver");
    expect(await approveCommand({ approvalId })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringContaining("the plan changed"),
    });
  });
});

describe("expiry (the approvals' clock is moved, not the test's)", () => {
  test("an approval not used within its minutes is refused; a new one works", async () => {
    const t0 = Date.now();
    let now = t0;
    restoreClock = setApprovalClock(() => new Date(now));
    const { runId } = await waitingRun("production");
    await approved(runId, "run.switch-over");
    now = t0 + 29 * 60_000;
    as("viewer");
    expect((await pendingApprovals()).some((a) => a.href === `/restores/${runId}`)).toBe(false);
    now = t0 + 31 * 60_000;
    as("operator");
    const r = await completeStepCommand({ runId, stepIndex: 1 });
    expect(r).toMatchObject({ ok: false, status: 403, error: expect.stringContaining("expired") });
    expect(await stepStatus(runId)).toBe("waiting");

    await approved(runId, "run.switch-over");
    as("operator");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({ ok: true });
  });

  test("an unanswered request expires: it can no longer be approved, and leaves the dashboard", async () => {
    const t0 = Date.now();
    let now = t0;
    restoreClock = setApprovalClock(() => new Date(now));
    const { runId } = await waitingRun("production");
    const approvalId = await requested(runId, "run.switch-over");
    as("viewer");
    expect((await pendingApprovals()).map((a) => a.id)).toContain(approvalId);
    as("approver");
    expect(await approvalsWaitingForMe()).toBeGreaterThanOrEqual(1);
    now = t0 + 31 * 60_000;
    expect(await approveCommand({ approvalId })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringContaining("expired"),
    });
    as("viewer");
    expect((await pendingApprovals()).map((a) => a.id)).not.toContain(approvalId);
  });
});

describe("decline", () => {
  test("a declined request leaves the step refused, saying who declined and why", async () => {
    const { runId } = await waitingRun("production", "confirm-copy-back");
    const approvalId = await requested(runId, "run.copy-back");
    as("approver");
    expect(await declineCommand({ approvalId, reason: "the preview shows the wrong rows" })).toMatchObject({
      ok: true,
    });
    as("operator");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringContaining("declined the copy-back into the target (the preview shows the wrong rows)"),
    });
    expect(await db.auditEvent.count({ where: { targetId: approvalId, action: "approval.decline" } })).toBe(1);
  });
});

describe("break glass", () => {
  const reason = "Approver unreachable, production down for 40 minutes; incident INC-2291";

  test("is refused below admin (403) and without a written reason (400)", async () => {
    const { runId } = await waitingRun("production");
    for (const who of ["viewer", "operator", "approver"] as const) {
      as(who);
      expect(await breakGlassCommand({ action: "run.switch-over", subjectId: runId, reason })).toMatchObject({
        ok: false,
        status: 403,
      });
    }
    as("admin");
    for (const bad of ["", "   ", "urgent"]) {
      expect(await breakGlassCommand({ action: "run.switch-over", subjectId: runId, reason: bad })).toMatchObject({
        ok: false,
        status: 400,
      });
    }
    expect(await db.approval.count({ where: { subjectId: runId } })).toBe(0);
    expect(await stepStatus(runId)).toBe("waiting");
  });

  test("works for an admin with a reason: audited under its own action, logged on the run, shown on the dashboard", async () => {
    const { runId } = await waitingRun("production", "confirm-switch-over", "admin");
    as("admin");
    const r = await breakGlassCommand({ action: "run.switch-over", subjectId: runId, reason: `  ${reason}  ` });
    expect(r).toMatchObject({ ok: true });
    const approvalId = r.ok ? r.data.approvalId : "";
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "approval.break_glass", targetId: approvalId },
    });
    expect(event.actorEmail).toBe(people.admin.email);
    expect(JSON.parse(event.detail)).toMatchObject({
      breakGlass: true,
      reason,
      subjectId: runId,
      environment: "production",
    });
    const log = await db.runLog.findMany({ where: { runId } });
    expect(log.map((l) => l.text).join("\n")).toContain(
      `BREAK GLASS: ${people.admin.email} overrode the two-person rule`,
    );

    // The admin planned and confirmed this run: the break glass still lets the step through, once.
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toEqual({ ok: true, data: { runId, stepIndex: 1 } });
    expect(await db.auditEvent.count({ where: { action: "approval.use", targetId: approvalId } })).toBe(1);
    as("viewer");
    expect((await recentBreakGlass()).find((a) => a.id === approvalId)).toMatchObject({ reason, kind: "break_glass" });
  });
});

describe("where the rule does not apply", () => {
  test("on staging an operator confirms alone and no approval can be requested", async () => {
    const { runId } = await waitingRun("staging", "confirm-switch-over", "operator");
    as("operator");
    expect(await requestApprovalCommand({ action: "run.switch-over", subjectId: runId })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringContaining("needs no second person's approval"),
    });
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({ ok: true });
  });

  test("a step that is not waiting cannot be requested", async () => {
    const { runId } = await waitingRun("production");
    await db.runStep.update({ where: { runId_index: { runId, index: 1 } }, data: { status: "pending" } });
    as("operator");
    expect(await requestApprovalCommand({ action: "run.switch-over", subjectId: runId })).toMatchObject({
      ok: false,
      status: 409,
      error: expect.stringContaining("not waiting"),
    });
  });
});

describe("the happy path through the real runner", () => {
  test("operator plans and confirms, requests; an approver approves; the operator's tick lets the switch-over run", async () => {
    const target = await database("production");
    let switched = false;
    const plan: Plan = {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      summary: {},
      steps: [
        {
          key: "download",
          title: "Download",
          kind: "automatic",
          command: null,
          description: "Downloads.",
          run: async () => ({ path: "/tmp/x", bytes: 1, sha256: SHA_A, matchesManifest: null, durationMs: 1 }),
        },
        { key: "confirm-switch-over", title: "Confirm", kind: "confirmation", command: null, description: "Waits." },
        {
          key: "switch-over",
          title: "Switch over",
          kind: "automatic",
          command: null,
          description: "Switches.",
          run: async () => {
            switched = true;
            return { ok: true };
          },
        },
      ],
    };
    const { runId, planHash } = await createRun({
      plan,
      scenarioId: "database-corruption",
      databaseId: target.id,
      backupId: null,
      options: {},
      createdBy: people.operator,
    });
    const { done } = await confirmAndStart({
      runId,
      typedName: target.dbName,
      expectedName: target.dbName,
      planHash,
      actor: people.operator,
      resolvePlan: async () => plan,
    });
    for (let i = 0; i < 200 && (await stepStatus(runId)) !== "waiting"; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await stepStatus(runId)).toBe("waiting");

    as("operator");
    expect(await completeStepCommand({ runId, stepIndex: 1 })).toMatchObject({ ok: false, status: 403 });
    expect(switched).toBe(false);
    await approved(runId, "run.switch-over");
    as("operator");
    expect(await completeStepCommand({ runId, stepIndex: 1, note: "app stopped" })).toMatchObject({ ok: true });
    await done;
    expect(switched).toBe(true);
    expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("succeeded");
    const actions = (
      await db.auditEvent.findMany({ where: { actorEmail: { in: [people.operator.email, people.approver.email] } } })
    ).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["approval.request", "approval.approve", "approval.use"]));
  });
});

describe("dropping the copy a production switch-over kept", () => {
  async function succeededRunThatKept(by: Person = "planner") {
    const target = await database("production");
    const oldCopy = `lb_appr_before_${String(Math.floor(Math.random() * 1e14)).padStart(14, "0")}`;
    await createDatabase(oldCopy);
    created.push(oldCopy);
    const run = await db.run.create({
      data: {
        scenarioId: "database-corruption",
        scenarioVersion: 1,
        databaseId: target.id,
        status: "succeeded",
        plan: JSON.stringify({
          scenarioId: "database-corruption",
          scenarioVersion: 1,
          steps: [],
          summary: { oldCopy },
        }),
        planHash: "4".repeat(64),
        createdBy: people[by].email,
        confirmedBy: people[by].email,
      },
    });
    return { runId: run.id, oldCopy };
  }
  const exists = async (name: string) =>
    (await runPsqlQuery(testConnection(), `SELECT count(*) FROM pg_database WHERE datname = '${name}'`))[0]?.[0] ===
    "1";

  test("needs an approval from someone else; a wrong name does not use it up; then it is dropped once", async () => {
    const { runId, oldCopy } = await succeededRunThatKept();
    as("planner");
    expect(await dropOldCopyCommand({ runId, typedName: oldCopy })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringContaining("needs a second person's approval"),
    });
    expect(await exists(oldCopy)).toBe(true);

    const approvalId = await approved(runId, "run.drop-old-copy");
    as("operator");
    expect(await dropOldCopyCommand({ runId, typedName: "amani" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("Nothing was dropped"),
    });
    expect((await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe("approved");
    expect(await dropOldCopyCommand({ runId, typedName: oldCopy })).toEqual({
      ok: true,
      data: { runId, oldCopy, dropped: true },
    });
    expect(await exists(oldCopy)).toBe(false);
    expect((await db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe("used");
  });
});
