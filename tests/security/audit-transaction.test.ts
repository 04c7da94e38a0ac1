import { randomUUID } from "node:crypto";
import { expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { defineCommand } from "@/lib/actions/define-command";
import { saveContactCommand } from "@/lib/contacts/commands";
import { saveContact } from "@/lib/contacts/mutations";
import { saveContactSchema } from "@/lib/contacts/schemas";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/chain";
import { db } from "@/lib/db";

// The session is the one thing faked here: everything behind it is the real code.
const admin: SessionUser = { id: "audit-tx-admin", email: "audit-tx-admin@example.test", name: "Admin", role: "admin" };
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => admin }));

/** A command like contacts.save whose audit event cannot be written (its detail throws). */
function brokenAuditCommand(transaction: boolean) {
  return defineCommand({
    name: `test.broken-audit-${transaction}`,
    role: "admin",
    input: saveContactSchema,
    transaction,
    handler: (input) => saveContact(input),
    audit: {
      action: "contact.create",
      targetType: "contact",
      detail: () => {
        throw new Error("the audit log is unavailable");
      },
    },
  });
}

test("a command's change and its audit event commit together: no audit event, no change", async () => {
  const service = `tx-${randomUUID()}`;
  const result = await brokenAuditCommand(true)({ service, name: "Ana" });
  expect(result.ok).toBe(false);
  expect(await db.contact.count({ where: { service } })).toBe(0);

  // Without the transaction (how every command worked before), the change stayed unaudited.
  const loose = `loose-${randomUUID()}`;
  expect((await brokenAuditCommand(false)({ service: loose, name: "Ana" })).ok).toBe(false);
  expect(await db.contact.count({ where: { service: loose } })).toBe(1);
});

test("a transactional command's own db.$transaction calls join it (no deadlock) and roll back with it", async () => {
  const service = `nested-${randomUUID()}`;
  const command = defineCommand({
    name: "test.nested-transactions",
    role: "admin",
    input: saveContactSchema,
    transaction: true,
    handler: async (input) => {
      await db.$transaction(async (tx) => tx.contact.create({ data: { service: input.service, name: "one" } }));
      await db.$transaction([db.contact.create({ data: { service: input.service, name: "two" } })]);
      expect(await db.contact.count({ where: { service: input.service } })).toBe(2);
      return { id: "x" };
    },
    audit: {
      action: "contact.create",
      targetType: "contact",
      detail: () => {
        throw new Error("the audit log is unavailable");
      },
    },
  });
  const started = Date.now();
  expect((await command({ service, name: "Ana" })).ok).toBe(false);
  expect(Date.now() - started).toBeLessThan(4_000);
  expect(await db.contact.count({ where: { service } })).toBe(0);
});

test("a real transactional command writes the change and one chained audit event", async () => {
  expect(saveContactCommand.command.transactional).toBe(true);
  const service = `real-${randomUUID()}`;
  const result = await saveContactCommand({ service, name: "Ben" });
  expect(result.ok).toBe(true);
  const contact = await db.contact.findFirstOrThrow({ where: { service } });
  const event = await db.auditEvent.findFirstOrThrow({ where: { targetId: contact.id, action: "contact.create" } });
  expect(event.actorEmail).toBe(admin.email);
  expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
});

test("many audit events at once in one process keep one unbroken chain", async () => {
  const tag = randomUUID();
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      recordAudit(null, { action: "test.parallel", targetType: "test", targetId: `${tag}-${i}` }),
    ),
  );
  const rows = await db.auditEvent.findMany({ where: { action: "test.parallel", targetId: { startsWith: tag } } });
  expect(rows).toHaveLength(40);
  expect(new Set(rows.map((r) => r.seq)).size).toBe(40);
  // Other test files append to the same database meanwhile; the whole chain still verifies.
  expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
});
