import "server-only";
import { defineCommand } from "@/lib/actions/define-command";
import { env } from "@/lib/env";
import { pgbackrestConfigProblem } from "@/lib/pitr/config-file";
import {
  checkArchive,
  createRestorePoint,
  deleteWalArchive,
  refreshHealthNow,
  saveWalArchive,
  switchWal,
} from "@/lib/pitr/mutations";
import { createRestorePointSchema, saveWalArchiveSchema, walArchiveDatabaseSchema } from "@/lib/pitr/schemas";

// The WAL archive's writes: settings (admin), and the operator's actions on the archived database.
// None is transactional: each runs pgBackRest or talks to the database.

export const saveWalArchiveCommand = defineCommand({
  name: "pitr.save-archive",
  role: "admin",
  // The config file is read from disk, so it is checked here on the server, not in the form's schema.
  input: saveWalArchiveSchema.superRefine((v, ctx) => {
    const problem = v.configPath ? pgbackrestConfigProblem(v.configPath, env().LIFEBOAT_PGBACKREST_CONFIG_DIRS) : null;
    if (problem) ctx.addIssue({ code: "custom", path: ["configPath"], message: problem });
  }),
  handler: (input) => saveWalArchive(input),
  audit: {
    action: (_, r) => (r.created ? "wal-archive.create" : "wal-archive.update"),
    targetType: "database",
    targetId: (_, r) => r.databaseId,
    detail: (_, r) => ({
      database: r.database,
      stanza: r.stanza,
      repoType: r.repoType,
      secretsSet: r.secretsSet,
      secretsDropped: r.secretsDropped,
      problems: r.problems.length,
    }),
  },
});

export const deleteWalArchiveCommand = defineCommand({
  name: "pitr.delete-archive",
  role: "admin",
  input: walArchiveDatabaseSchema,
  handler: (input) => deleteWalArchive(input),
  audit: {
    action: "wal-archive.delete",
    targetType: "database",
    targetId: (input) => input.databaseId,
    detail: (_, r) => ({ database: r.database, stanza: r.stanza }),
  },
});

export const refreshArchiveHealthCommand = defineCommand({
  name: "pitr.refresh-health",
  role: "operator",
  input: walArchiveDatabaseSchema,
  handler: (input) => refreshHealthNow(input),
  audit: {
    action: "wal-archive.refresh",
    targetType: "database",
    targetId: (input) => input.databaseId,
    detail: (_, h) => ({ failing: h.failing, rpoBreached: h.rpo.breached, repoReadable: h.repoError === null }),
  },
});

export const checkWalArchiveCommand = defineCommand({
  name: "pitr.check-archive",
  role: "operator",
  input: walArchiveDatabaseSchema,
  handler: (input) => checkArchive(input),
  audit: {
    action: "wal-archive.check",
    targetType: "database",
    targetId: (input) => input.databaseId,
    detail: (_, r) => ({ database: r.database, ok: r.ok }),
  },
});

export const switchWalCommand = defineCommand({
  name: "pitr.switch-wal",
  role: "operator",
  input: walArchiveDatabaseSchema,
  handler: (input) => switchWal(input),
  audit: {
    action: "wal-archive.switch-wal",
    targetType: "database",
    targetId: (input) => input.databaseId,
    detail: (_, r) => ({ database: r.database, lsn: r.lsn, segment: r.segment, archived: r.archived }),
  },
});

export const createRestorePointCommand = defineCommand({
  name: "pitr.create-restore-point",
  role: "operator",
  input: createRestorePointSchema,
  handler: (input, user) => createRestorePoint(input, { email: user.email, source: "console" }),
  audit: {
    action: "restore-point.create",
    targetType: "database",
    targetId: (_, r) => r.databaseId,
    detail: (_, r) => ({ database: r.database, name: r.name, lsn: r.lsn }),
  },
});
