import { describeServer, type PgConnection } from "@/lib/postgres/connection";
import type { PsqlQuery } from "@/lib/postgres/run";

// A restore runs the backup's SQL with the rights of the role Lifeboat connects as. Whatever the
// safety checks miss, a role without superuser and without the server-file and server-program
// roles cannot turn a hostile backup into a shell or a file read on the database server. The
// preflight says when the configured role is stronger than a restore needs (CREATEDB, and
// membership in the roles that own the application's objects).

export type RestoreRoleFacts = {
  role: string;
  superuser: boolean;
  createdb: boolean;
  /** Built-in roles it holds that reach the server's programs or files. */
  serverAccess: string[];
};

const SERVER_ROLES = ["pg_execute_server_program", "pg_read_server_files", "pg_write_server_files"] as const;

/** The facts about the role Lifeboat connects as (`user`: the configured name, if the server says none). */
export function restoreRoleFactsQuery(user: string): PsqlQuery<RestoreRoleFacts> {
  return {
    sql: `SELECT current_user, r.rolsuper, r.rolcreatedb, ${SERVER_ROLES.map(
      (b) =>
        `CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${b}') THEN pg_has_role(current_user, '${b}', 'MEMBER') ELSE false END`,
    ).join(", ")} FROM pg_roles r WHERE r.rolname = current_user`,
    read: (rows) => {
      const [role, superuser, createdb, ...access] = rows[0] ?? [];
      return {
        role: role ?? user,
        superuser: superuser === "t",
        createdb: createdb === "t",
        serverAccess: SERVER_ROLES.filter((_, i) => access[i] === "t"),
      };
    },
  };
}

/**
 * What the preflight says about the role: null when it is as a restore needs. A warning, not a
 * refusal, on every environment: the backup's SQL is checked before it runs (psql's restricted
 * mode, the scanner, the archive inspection), and a restore must stay possible at 3 a.m. with
 * the credentials at hand; on production it is said louder.
 */
export function restoreRoleWarning(
  f: RestoreRoleFacts,
  server: PgConnection,
  environment: "production" | "staging" | "test",
): string | null {
  const strong = f.superuser ? ["superuser"] : f.serverAccess;
  if (strong.length === 0) return null;
  const lead = environment === "production" ? "WARNING (production): " : "warning: ";
  return (
    `${lead}the restore runs as ${f.role}, which is ${strong.join(" and ")} on ${describeServer(server)}: ` +
    "the backup's SQL could run programs or read and write files on the database server with those rights if a check missed it. " +
    "Restore as a role with CREATEDB that is a member of the application's owner roles and nothing more (see the README: the restore role), and set it on the database in Settings"
  );
}
