import "server-only";
import { defineCommand } from "@/lib/actions/define-command";
import { databaseIdSchema, saveDatabaseSchema } from "@/lib/databases/schemas";
import { deleteDatabase, saveDatabase, testDatabase } from "@/lib/databases/mutations";

export const saveDatabaseCommand = defineCommand({
  name: "databases.save",
  transaction: true,
  role: "admin",
  input: saveDatabaseSchema,
  handler: (input) => saveDatabase(input),
  audit: {
    action: (input) => (input.id ? "database.update" : "database.create"),
    targetType: "database",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({
      name: r.name,
      environment: r.environment,
      host: r.host,
      dbName: r.dbName,
      tls: r.sslmode,
      caCertificate: r.caCertificate,
      migrationHead: r.migrationHeadKind,
      passwordChanged: r.passwordChanged,
      passwordDroppedForNewAddress: r.passwordDropped,
      catalogRowsReassigned: r.catalog.reassigned,
    }),
  },
});

export const deleteDatabaseCommand = defineCommand({
  name: "databases.delete",
  transaction: true,
  role: "admin",
  input: databaseIdSchema,
  handler: (input) => deleteDatabase(input),
  audit: {
    action: "database.delete",
    targetType: "database",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ name: r.name }),
  },
});

export const testDatabaseCommand = defineCommand({
  name: "databases.test-connection",
  role: "admin",
  input: databaseIdSchema,
  handler: (input) => testDatabase(input),
  audit: {
    action: "database.test",
    targetType: "database",
    targetId: (input) => input.id,
    detail: (_, r) => ({ ok: r.ok }),
  },
});
