import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { confirmRetentionDeletion, setForeignDeletion, setMinVerified } from "@/lib/retention/mutations";

// Retention's writes. The deletion itself records one audit event per object (retention.delete,
// retention.retained, retention.failed) and one for the run; the command's own event is the
// operator's confirmation.

const id = z.string().min(1).max(200);

export const confirmRetentionCommand = defineCommand({
  name: "retention.confirm-delete",
  role: "operator",
  input: z.object({
    databaseId: id,
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/, "Reload the preview: the form lost what it was bound to."),
    typedCount: z.coerce
      .number({ message: "Type the number of backups that will be deleted." })
      .int("Type the number of backups that will be deleted, as a whole number."),
  }),
  handler: (input, user) => confirmRetentionDeletion(input, user),
  audit: {
    action: "retention.confirm",
    targetType: "database",
    targetId: (input) => input.databaseId,
    detail: (_, r) => ({
      database: r.database,
      status: r.status,
      deleted: r.deleted,
      retained: r.retained,
      failed: r.failed,
    }),
  },
});

export const setForeignDeletionCommand = defineCommand({
  name: "retention.set-foreign-deletion",
  role: "admin",
  input: z.object({ locationId: id, allow: z.boolean() }),
  transaction: true,
  handler: (input) => setForeignDeletion(input),
  audit: {
    action: "location.retention_foreign",
    targetType: "location",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ name: r.name, allow: r.allow }),
  },
});

export const setMinVerifiedCommand = defineCommand({
  name: "retention.set-min-verified",
  role: "admin",
  input: z.object({
    databaseId: id,
    minVerified: z.coerce
      .number()
      .int("The minimum redundancy is a whole number of backups.")
      .min(1, "At least 1: retention always keeps the newest verified backup.")
      .max(365, "At most 365."),
  }),
  transaction: true,
  handler: (input) => setMinVerified(input),
  audit: {
    action: "database.retention_min_verified",
    targetType: "database",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ name: r.name, minVerified: r.minVerified }),
  },
});
