import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import { minimalChildEnv } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { pgRestoreArgs, type Argv, type BinOptions } from "@/lib/postgres/commands";
import { describeServer, type PgConnection } from "@/lib/postgres/connection";
import { missingToolError, quoteLiteral, runPsqlScript, type PsqlQuery } from "@/lib/postgres/run";
import { AclCollector, aclLineSink, type AclFacts } from "./acl-facts";
import { PsqlScriptGuard, UnsafeSqlError, type SqlFinding } from "./sql-safety";
import { executable } from "@/lib/postgres/executable";

// A custom or tar archive is restored by pg_restore, which runs no psql meta-commands, but the
// SQL in it runs on the database server with the restoring role's rights: a function or DO
// block calling COPY … PROGRAM, lo_import, pg_read_server_files, ALTER SYSTEM, an untrusted
// language. pg_restore writes the archive as the script it would run (--file=-, data included,
// since a data entry carries its own COPY statement); the plain-SQL scanner reads that script
// exactly as it reads a plain dump, and the same pass collects the roles the archive names.

/** `file` null: the archive on stdin. `schemaOnly`: without the data section (see inspectArchive). */
export function archiveScriptArgv(file: string | null, bin: BinOptions, schemaOnly = false): Argv {
  return pgRestoreArgs({ file: file ?? undefined, outputFile: "-", binDir: bin.binDir, schemaOnly });
}

export type ArchiveInspection = {
  findings: SqlFinding[];
  findingCount: number;
  warnings: SqlFinding[];
  statements: number;
  copyBlocks: number;
  lines: number;
  acl: AclFacts;
  /** Only the schema was read: the data section (COPY blocks, sequence values) was not. */
  schemaOnly: boolean;
};

/**
 * `file` null: the archive comes from `input` (the download as it streams). A pg_restore that
 * stops reading early lets the rest of `input` drain, so the download is never held up.
 * `schemaOnly`: leaves out the data section, whose SQL is pg_dump's own COPY and setval lines
 * and whose COPY data never runs as SQL. Only for an archive Lifeboat's pg_dump made (its signed
 * manifest names the bytes: the caller checks the sha256 before it trusts this reading), since
 * a data block of another pg_dump (--inserts) can be SQL.
 */
export async function inspectArchive(
  file: string | null,
  bin: BinOptions,
  signal?: AbortSignal,
  input?: Readable,
  opts: { schemaOnly?: boolean } = {},
): Promise<ArchiveInspection> {
  const schemaOnly = opts.schemaOnly === true;
  const [tool, ...args] = archiveScriptArgv(file, bin, schemaOnly);
  const child = execa(executable(tool), args, {
    stdin: input ? "pipe" : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    buffer: { stdout: false },
    reject: false,
    maxBuffer: { stderr: 1024 * 1024 },
    cancelSignal: signal,
    env: { ...minimalChildEnv(), LC_ALL: undefined, LC_MESSAGES: "C" },
  });
  if (input && child.stdin) {
    const stdin = child.stdin;
    const drain = () => {
      input.unpipe(stdin);
      input.resume();
    };
    stdin.on("error", drain);
    stdin.on("close", drain);
    input.pipe(stdin);
  }
  const guard = new PsqlScriptGuard();
  const collector = new AclCollector();
  const lines = aclLineSink(collector);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.write(chunk);
      cb();
    },
    final(cb) {
      lines.end();
      cb();
    },
  });
  let unsafe: UnsafeSqlError | null = null;
  let streamError: unknown = null;
  try {
    await pipeline([child.stdout, guard, sink]);
  } catch (e) {
    if (e instanceof UnsafeSqlError) unsafe = e;
    else streamError = e;
    child.kill();
  }
  const r = await child;
  if (r.isCanceled || signal?.aborted) throw new UserError("the inspection was cancelled", 499);
  if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES"))
    throw missingToolError("pg_restore", bin.binDir);
  if (!unsafe) {
    if (streamError !== null) throw streamError;
    if (r.exitCode !== 0) {
      const stderr = typeof r.stderr === "string" ? r.stderr.trim().split("\n")[0] : "";
      throw new UserError(
        `pg_restore could not write the archive's script to inspect it: ${stderr || "no message"}`,
        422,
      );
    }
  }
  const s = guard.scanner;
  return {
    findings: unsafe ? unsafe.findings : [],
    findingCount: unsafe ? unsafe.total : 0,
    warnings: s.warnings,
    statements: s.statements,
    copyBlocks: s.copyBlocks,
    lines: s.lineNo,
    acl: collector.result(),
    schemaOnly,
  };
}

/** The archive holds SQL Lifeboat will not run (said in the archive's words, not a plain dump's). */
export function unsafeArchiveMessage(findings: SqlFinding[], total: number): string {
  const first = findings
    .slice(0, 3)
    .map((f) => `script line ${f.line.toLocaleString("en-US")}: ${f.text} (${f.reason})`)
    .join("; ");
  return (
    `the archive contains ${total} statement${total === 1 ? "" : "s"} pg_dump does not write, which could run programs or read and write files on the database's server with the restoring role's rights: ${first}${total > 3 ? ` and ${total - 3} more` : ""}. ` +
    "Lifeboat does not restore it: the archive was probably altered or not made by pg_dump. Restore another backup, or inspect this one by hand (pg_restore --file=- shows its SQL)"
  );
}

export type RoleCheck = { missing: string[]; notMember: string[]; restoreRole: string };

/** Which of the archive's roles the target server lacks, and which owners the restoring role cannot act as. */
export async function checkRoles(server: PgConnection, acl: AclFacts, bin: BinOptions & { signal?: AbortSignal }) {
  const q = checkRolesQuery(acl, server.user);
  // The list is the archive's (any length): on psql's stdin, never one over-long argument.
  if (!q) return { missing: [], notMember: [], restoreRole: server.user } satisfies RoleCheck;
  return q.read(await runPsqlScript(server, `${q.sql};`, bin));
}

/** The query checkRoles runs (null: the archive names no role, nothing to ask). */
export function checkRolesQuery(acl: AclFacts, user: string): PsqlQuery<RoleCheck> | null {
  if (acl.roles.length === 0) return null;
  const values = acl.roles.map((r) => `(${quoteLiteral(r)}, ${acl.owners.includes(r) ? "true" : "false"})`).join(",");
  return {
    sql: `SELECT r.name,
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name),
            NOT r.owner OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name)
              OR pg_has_role(current_user, r.name, 'MEMBER'),
            current_user
       FROM (VALUES ${values}) AS r(name, owner) ORDER BY 1`,
    read: (rows) => {
      const missing: string[] = [];
      const notMember: string[] = [];
      let restoreRole = user;
      for (const [name, exists, member, me] of rows) {
        if (name === undefined) continue;
        if (me) restoreRole = me;
        if (exists !== "t") missing.push(name);
        else if (member !== "t") notMember.push(name);
      }
      return { missing, notMember, restoreRole } satisfies RoleCheck;
    },
  };
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** What to do about roles the restore cannot use, as SQL an admin can run (null when none). */
export function roleProblemMessage(check: RoleCheck, server: PgConnection): string | null {
  const parts: string[] = [];
  const sql: string[] = [];
  if (check.missing.length > 0) {
    parts.push(
      `the backup gives objects or grants to ${check.missing.length} role${check.missing.length === 1 ? "" : "s"} that do${check.missing.length === 1 ? "es" : ""} not exist on ${describeServer(server)}: ${check.missing.join(", ")}`,
    );
    for (const r of check.missing) sql.push(`CREATE ROLE ${ident(r)} NOLOGIN;`);
  }
  const owners = [...check.notMember];
  if (owners.length > 0) {
    parts.push(
      `the restoring role ${check.restoreRole} cannot give objects to ${owners.join(", ")} (it is not a member)`,
    );
  }
  for (const r of [...check.missing, ...owners]) sql.push(`GRANT ${ident(r)} TO ${ident(check.restoreRole)};`);
  if (parts.length === 0) return null;
  return (
    `${parts.join("; ")}. Owners and grants are restored as they were, so nothing was restored: ` +
    `create the roles on the server (roles are not in a database's backup: pg_dumpall --roles-only on the old server has them), for example ${sql.join(" ")} Then run the restore again`
  );
}

export type ReadProblem = { role: string; table: string; why: string };

/** Checks in the restored database that every role can still read every table it could read in the backup. */
export async function checkReads(
  conn: PgConnection,
  acl: AclFacts,
  bin: BinOptions & { signal?: AbortSignal },
): Promise<{ checked: number; problems: ReadProblem[] }> {
  if (acl.reads.length === 0) return { checked: 0, problems: [] };
  const problems: ReadProblem[] = [];
  // In slices: one statement per few thousand pairs keeps psql's input and the planner modest.
  for (let i = 0; i < acl.reads.length; i += 2000) {
    const slice = acl.reads.slice(i, i + 2000);
    const values = slice
      .map((p) => `(${quoteLiteral(p.role)}, ${quoteLiteral(p.table)}, ${p.usage ? "true" : "false"})`)
      .join(",");
    const rows = await runPsqlScript(
      conn,
      `SELECT p.role, p.tbl,
              CASE
                WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p.role) THEN 'the role does not exist'
                WHEN to_regclass(p.tbl) IS NULL THEN 'the table is missing'
                WHEN p.usage AND NOT has_schema_privilege(p.role, c.relnamespace, 'USAGE') THEN 'no USAGE on its schema'
                WHEN NOT has_table_privilege(p.role, c.oid, 'SELECT') THEN 'no SELECT on the table'
                ELSE ''
              END
         FROM (VALUES ${values}) AS p(role, tbl, usage)
         LEFT JOIN pg_class c ON c.oid = to_regclass(p.tbl);`,
      bin,
    );
    for (const [role, table, why] of rows) {
      if (role !== undefined && table !== undefined && why) problems.push({ role, table, why });
    }
  }
  return { checked: acl.reads.length, problems };
}

/**
 * Before a restore: every role the backup names exists on the target server and the restoring
 * role can act as each owner; otherwise nothing is restored (a restore without its owners and
 * grants would leave the application unable to read its own tables).
 */
export async function requireRestorableRoles(
  server: PgConnection,
  acl: AclFacts,
  bin: BinOptions & { signal?: AbortSignal },
  log: (text: string, stream?: "info" | "stderr") => void,
  /** The same check of the same `acl`, made a moment ago in the same run. */
  checked: RoleCheck | null = null,
): Promise<RoleCheck> {
  const check = checked ?? (await checkRoles(server, acl, bin));
  const problem = roleProblemMessage(check, server);
  if (problem) {
    for (const r of check.missing) log(`role ${r} does not exist on ${describeServer(server)}`, "stderr");
    for (const r of check.notMember) log(`${check.restoreRole} is not a member of ${r}`, "stderr");
    throw new UserError(problem, 422);
  }
  log(
    acl.roles.length === 0
      ? "the backup names no roles: nothing to give owners or grants to"
      : `the backup names ${acl.roles.length} role${acl.roles.length === 1 ? "" : "s"} (${acl.roles.join(", ")}): each exists on ${describeServer(server)} and ${check.restoreRole} can give objects to the owners, so owners and grants are restored as they were`,
  );
  return check;
}
