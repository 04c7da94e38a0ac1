import "server-only";
import { randomUUID } from "node:crypto";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import type { z } from "zod";
import { db } from "@/lib/db";
import { seal } from "@/lib/crypto/key";
import { minimalChildEnv } from "@/lib/env";
import { NotFoundError, UserError } from "@/lib/errors";
import { connectionOf } from "@/lib/databases/mutations";
import { quoteLiteral, runPsqlQuery, serverVersion } from "@/lib/postgres/run";
import { archiveSecretsContext, PgbackrestError, runPgbackrest, unsealArchiveSecrets } from "@/lib/pitr/pgbackrest";
import { repoOptionsSchema, SECRETS_OF, type RepoOptions, type RepoSecrets } from "@/lib/pitr/repo-config";
import { parseStoredJson } from "@/lib/stored-json";
import { refreshArchiveHealth, storedHealth, type ArchiveHealth } from "@/lib/pitr/health";
import { pgBinDirFor } from "@/lib/pitr/window";
import { DEMO_ARCHIVE_REFUSAL, isDemoArchive } from "@/lib/pitr/demo-archive";
import type { createRestorePointSchema, saveWalArchiveSchema } from "@/lib/pitr/schemas";

// Writes of the WAL archive settings and the operator actions on the archived database
// (pgbackrest check, switch WAL, restore points). Audit events come from lib/pitr/commands.ts.

async function archiveWithDatabase(databaseId: string) {
  const a = await db.walArchive.findUnique({
    where: { databaseId },
    include: { database: { select: { id: true, name: true } } },
  });
  if (!a) throw new UserError("This database has no WAL archive set up: an admin adds one on its page.", 404);
  return a;
}

/** Where the repository's secrets go: kept secrets stay only while they go to the same place. */
function sameTarget(
  a: { repoType: string; options: RepoOptions },
  b: { repoType: string; options: RepoOptions },
): boolean {
  const keys = ["s3Endpoint", "s3Bucket", "azureAccount", "azureEndpoint", "gcsEndpoint", "gcsBucket"] as const;
  return a.repoType === b.repoType && keys.every((k) => (a.options[k] ?? "") === (b.options[k] ?? ""));
}

/** Checks that make a saved archive usable, as sentences (empty: all good). */
export async function preflightArchive(databaseId: string, pgBinDir: string | null): Promise<string[]> {
  const problems: string[] = [];
  const v = await execa("pgbackrest", ["version"], { env: minimalChildEnv(), extendEnv: true, reject: false });
  if (v.exitCode !== 0) {
    problems.push(
      "pgBackRest is not installed on the recovery host (this console's machine): apt-get install -y pgbackrest.",
    );
  }
  const major = await serverVersion(await connectionOf(databaseId), { timeoutMs: 15_000 }).then(
    (s) => s.split(".")[0] ?? null,
    () => null,
  );
  if (!major) {
    problems.push(
      "The database did not answer, so its PostgreSQL version is unknown: the recovery host's binaries could not be checked (Test connection in Settings → Databases).",
    );
    return problems;
  }
  const binDir = pgBinDirFor({ pgBinDir }, major);
  if (!binDir) return problems;
  for (const tool of ["pg_ctl", "postgres", "pg_waldump"]) {
    const ok = await access(path.join(binDir, tool), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!ok) {
      problems.push(
        `${tool} of PostgreSQL ${major} is missing in ${binDir} on the recovery host: install postgresql-${major} there (apt-get install -y postgresql-${major}) or set the PostgreSQL bin directory.`,
      );
      break;
    }
  }
  const ctl = await execa(path.join(binDir, "pg_ctl"), ["--version"], {
    env: minimalChildEnv(),
    extendEnv: true,
    reject: false,
  });
  const found = /\(PostgreSQL\)\s+(\d+)/.exec(typeof ctl.stdout === "string" ? ctl.stdout : "")?.[1];
  if (found && found !== major) {
    problems.push(
      `The binaries in ${binDir} are PostgreSQL ${found}, the database runs ${major}: a recovery needs the same major version. Set the PostgreSQL bin directory of version ${major}.`,
    );
  }
  return problems;
}

export async function saveWalArchive(input: z.output<typeof saveWalArchiveSchema>) {
  const database = await db.database.findUnique({ where: { id: input.databaseId }, select: { id: true, name: true } });
  if (!database) throw new NotFoundError("The database");
  const existing = await db.walArchive.findUnique({ where: { databaseId: input.databaseId } });
  const options: RepoOptions = {};
  const set = <K extends keyof RepoOptions>(k: K, v: RepoOptions[K] | undefined) => {
    if (v !== undefined) options[k] = v;
  };
  if (input.repoType === "s3") {
    set("s3Bucket", input.s3Bucket);
    set("s3Endpoint", input.s3Endpoint);
    set("s3Region", input.s3Region);
    set("s3UriStyle", input.s3UriStyle);
  } else if (input.repoType === "azure") {
    set("azureAccount", input.azureAccount);
    set("azureContainer", input.azureContainer);
    set("azureEndpoint", input.azureEndpoint);
  } else if (input.repoType === "gcs") {
    set("gcsBucket", input.gcsBucket);
    set("gcsEndpoint", input.gcsEndpoint);
    set("gcsKeyType", input.gcsKeyType ?? "service");
    set("gcsKeyPath", input.gcsKeyPath);
  }
  if (input.repoType !== "posix") set("verifyTls", input.verifyTls);
  set("cipherType", input.cipherType);

  const rowId = existing?.id ?? randomUUID();
  // Kept secrets go only where they went before: otherwise an admin could send them to an
  // endpoint of their choosing.
  const keptTarget =
    existing !== null &&
    sameTarget(
      {
        repoType: existing.repoType,
        options: parseStoredJson(existing.repoOptions, repoOptionsSchema, "WAL archive's options"),
      },
      { repoType: input.repoType, options },
    );
  const kept: RepoSecrets = existing && keptTarget ? unsealArchiveSecrets(existing) : {};
  const secrets: RepoSecrets = {};
  for (const name of SECRETS_OF[input.repoType]) {
    const v = input[name] ?? kept[name];
    if (v) secrets[name] = v;
  }
  const secretsDropped =
    existing?.repoSecretEnc && !keptTarget
      ? ["all saved secrets (the repository changed: enter them again)"]
      : Object.keys(kept).filter((k) => !(k in secrets));
  if (input.cipherType !== "none" && !secrets.cipherPass) {
    throw new UserError("An encrypted repository needs its passphrase: enter the encryption passphrase.");
  }
  const data = {
    stanza: input.stanza,
    configPath: input.configPath ?? null,
    repoType: input.repoType,
    repoPath: input.repoPath,
    repoOptions: JSON.stringify(options),
    repoSecretEnc: Object.keys(secrets).length ? seal(JSON.stringify(secrets), archiveSecretsContext(rowId)) : null,
    pgBinDir: input.pgBinDir ?? null,
    walRpoMinutes: input.walRpoMinutes,
  };
  const row = existing
    ? await db.walArchive.update({ where: { id: existing.id }, data })
    : await db.walArchive.create({ data: { id: rowId, databaseId: input.databaseId, ...data } });
  const problems = await preflightArchive(input.databaseId, row.pgBinDir);
  // The first reading right away, so the page shows what the settings reach.
  const health = await refreshArchiveHealth(input.databaseId).catch(() => null);
  if (health?.repoError) problems.push(health.repoError);
  return {
    id: row.id,
    databaseId: database.id,
    database: database.name,
    created: !existing,
    stanza: row.stanza,
    repoType: row.repoType,
    secretsSet: Object.keys(secrets).sort(),
    secretsDropped,
    problems,
  };
}

export async function deleteWalArchive(input: { databaseId: string }) {
  const a = await archiveWithDatabase(input.databaseId);
  await db.walArchive.delete({ where: { id: a.id } });
  return { id: a.id, database: a.database.name, stanza: a.stanza };
}

export async function refreshHealthNow(input: { databaseId: string }): Promise<ArchiveHealth> {
  return refreshArchiveHealth(input.databaseId);
}

const CHECK_OUTPUT_MAX = 2000;

/** `pgbackrest check`: archives a segment end to end and reports what failed. Stored with the health. */
export async function checkArchive(input: { databaseId: string }) {
  const a = await archiveWithDatabase(input.databaseId);
  if (isDemoArchive(a)) throw new UserError(DEMO_ARCHIVE_REFUSAL, 409);
  const at = new Date();
  let ok = true;
  let output = "";
  try {
    const r = await runPgbackrest(a, "check", [], { timeoutMs: 5 * 60_000 });
    output =
      (r.stdout + r.stderr).trim() ||
      "pgbackrest check passed: a WAL segment was archived and found in the repository.";
  } catch (e) {
    if (!(e instanceof PgbackrestError)) throw e;
    ok = false;
    output = e.message;
  }
  output = output.slice(0, CHECK_OUTPUT_MAX);
  const health = await refreshArchiveHealth(input.databaseId);
  const withCheck: ArchiveHealth = {
    ...health,
    lastCheck: { at: at.toISOString(), ok, output },
    lastError:
      !ok && (health.failing || !health.lastError)
        ? (health.lastError ?? { at: at.toISOString(), message: output, source: "pgbackrest check" })
        : health.lastError,
  };
  await db.walArchive.update({ where: { id: a.id }, data: { lastHealth: JSON.stringify(withCheck) } });
  return { database: a.database.name, ok, output };
}

const SWITCH_WAIT_MS = 15_000;

/**
 * pg_switch_wal() in its own statement (a switch inside the transaction that wrote the change
 * would not cover it), then a short wait for the archiver to push the closed segment, then the
 * window is read again so the page shows the new end.
 */
export async function switchWal(input: { databaseId: string }) {
  const a = await archiveWithDatabase(input.databaseId);
  if (isDemoArchive(a)) throw new UserError(DEMO_ARCHIVE_REFUSAL, 409);
  const conn = await connectionOf(input.databaseId);
  // One call: the segment named is the one this switch closed.
  const rows = await runPsqlQuery(
    conn,
    "WITH s AS (SELECT pg_switch_wal() AS lsn) SELECT lsn::text, pg_walfile_name(lsn) FROM s",
    { timeoutMs: 30_000 },
  );
  const lsn = rows[0]?.[0] ?? "";
  const segment = rows[0]?.[1] || null;
  let archived = false;
  const deadline = Date.now() + SWITCH_WAIT_MS;
  while (segment && Date.now() < deadline) {
    const r = await runPsqlQuery(
      conn,
      `SELECT coalesce(last_archived_wal, '') >= ${quoteLiteral(segment)} FROM pg_stat_archiver`,
      { timeoutMs: 10_000 },
    );
    if (r[0]?.[0] === "t") {
      archived = true;
      break;
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  const health = await refreshArchiveHealth(input.databaseId);
  return {
    database: a.database.name,
    lsn,
    segment,
    archived,
    newestRecoverable: health.newestRecoverable,
  };
}

/**
 * pg_create_restore_point with a validated name passed as a quoted literal, stored with its LSN.
 * Recovery stops at the first restore point of a name: a name already used is refused.
 */
export async function createRestorePoint(
  input: z.output<typeof createRestorePointSchema>,
  by: { email: string; source: "console" | "api" },
) {
  const database = await db.database.findUnique({ where: { id: input.databaseId }, select: { id: true, name: true } });
  if (!database) throw new NotFoundError("The database");
  const archive = await db.walArchive.findUnique({ where: { databaseId: database.id }, select: { repoOptions: true } });
  if (archive && isDemoArchive(archive)) throw new UserError(DEMO_ARCHIVE_REFUSAL, 409);
  const taken = await db.restorePoint.findFirst({
    where: { databaseId: database.id, name: input.name },
    select: { createdAt: true },
  });
  if (taken) {
    throw new UserError(
      `A restore point named "${input.name}" already exists on ${database.name} (created ${taken.createdAt.toISOString()}): recovery would stop at the first one. Choose another name.`,
      409,
    );
  }
  const conn = await connectionOf(database.id);
  const rows = await runPsqlQuery(conn, `SELECT pg_create_restore_point(${quoteLiteral(input.name)})::text`, {
    timeoutMs: 30_000,
  });
  const lsn = rows[0]?.[0] ?? "";
  if (!/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i.test(lsn)) {
    throw new UserError("PostgreSQL did not return the restore point's position: check the database's log.");
  }
  const row = await db.restorePoint.create({
    data: { databaseId: database.id, name: input.name, lsn: lsn.toUpperCase(), createdBy: by.email, source: by.source },
  });
  return {
    id: row.id,
    databaseId: database.id,
    database: database.name,
    name: row.name,
    lsn: row.lsn,
    createdAt: row.createdAt,
  };
}

/** The stored health, for readers that must not run pgBackRest. */
export async function currentHealth(databaseId: string): Promise<ArchiveHealth | null> {
  const a = await db.walArchive.findUnique({ where: { databaseId }, select: { lastHealth: true } });
  return a ? storedHealth(a) : null;
}
