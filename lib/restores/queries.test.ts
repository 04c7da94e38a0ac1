import { randomUUID } from "node:crypto";
import { beforeAll, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { createRun } from "@/lib/runner/runs";
import { getRestoreRun } from "./queries";

// The deletion preview's sample rows are application data: a viewer reading a run sees the
// counts and ids, only an operator (who decides on the copy-back) sees the rows themselves.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

let runId: string;
let operator: SessionUser;

beforeAll(async () => {
  const u = await db.user.create({
    data: { email: `preview-${randomUUID()}@example.test`, name: "Preview", role: "operator" },
  });
  operator = { id: u.id, email: u.email, name: u.name, role: "operator" };
  const database = await db.database.create({
    data: { name: `preview-${randomUUID().slice(0, 8)}`, host: "127.0.0.1", dbName: "amani", user: "lifeboat" },
  });
  const created = await createRun({
    plan: {
      scenarioId: "accidental-deletion",
      scenarioVersion: 2,
      steps: [
        {
          key: "preview-rows",
          title: "Preview",
          kind: "automatic",
          command: null,
          description: "Previews.",
          run: async () => null,
        },
      ],
      summary: {},
    },
    scenarioId: "accidental-deletion",
    databaseId: database.id,
    backupId: null,
    options: {},
    createdBy: { id: u.id, email: u.email },
  });
  runId = created.runId;
  const result = {
    table: "public.users",
    missing: 1,
    ids: ["7"],
    sample: { columns: ["id", "email"], rows: [["7", "ada@example.test"]] },
  };
  await db.runStep.updateMany({ where: { runId, key: "preview-rows" }, data: { result: JSON.stringify(result) } });
});

test.each([
  ["viewer", false],
  ["operator", true],
  ["approver", true],
] as const)("a %s sees the preview's sample rows: %s", async (role, sees) => {
  session.user = { ...operator, role };
  const view = await getRestoreRun(runId);
  const step = view.steps.find((s) => s.key === "preview-rows");
  expect(step?.result).toMatchObject({ missing: 1, ids: ["7"] });
  expect(JSON.stringify(view).includes("ada@example.test")).toBe(sees);
});
