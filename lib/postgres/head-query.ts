// A database's migration-head setting is SQL an admin typed, and it is handed to psql
// `--command`, which runs psql meta-commands too (`\! cmd` runs a shell command on the
// console's server). Only one plain SELECT (or WITH … SELECT) is accepted, checked when the
// setting is saved and again before every use, and it runs in a read-only transaction with a
// statement timeout.

import { UserError } from "@/lib/errors";

export const MAX_HEAD_QUERY_LENGTH = 2000;

export const HEAD_QUERY_RULE =
  "one SELECT (or WITH … SELECT) statement whose first column is the head, e.g. select version_num from alembic_version; no backslashes, no semicolons except one at the end";

/** Why the query is not accepted, or null when it is. */
export function headQueryProblem(query: string): string | null {
  const q = query.trim().replace(/;\s*$/, "");
  if (q === "") return "the migration head query is empty";
  if (q.length > MAX_HEAD_QUERY_LENGTH)
    return `the migration head query is longer than ${MAX_HEAD_QUERY_LENGTH} characters`;
  // Refused anywhere, even inside a string literal: psql reads `\` as the start of a
  // meta-command, and a head query never needs one.
  if (q.includes("\\")) return "the migration head query contains a backslash, which psql would run as a command";
  if (q.includes(";")) return "the migration head query has more than one statement (a semicolon inside it)";
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(q)) return "the migration head query contains control characters";
  // psql replaces :name, :'name' and :"name" with variables in what it reads.
  if (/(^|[^:]):['"]/.test(q) || /(^|[^:]):[A-Za-z_]/.test(q.replace(/'[^']*'/g, "''")))
    return "the migration head query contains a psql variable (:name)";
  if (!/^(select|with)\b/i.test(q)) return "the migration head query does not start with SELECT or WITH";
  return null;
}

/** The query as it is sent: trimmed, without a trailing semicolon. Throws when it is not accepted. */
export function checkedHeadQuery(query: string): string {
  const problem = headQueryProblem(query);
  if (problem !== null) throw new HeadQueryError(problem);
  return query.trim().replace(/;\s*$/, "");
}

export class HeadQueryError extends UserError {
  constructor(problem: string) {
    super(`${problem}. Lifeboat did not run it: in Settings → Databases, set it to ${HEAD_QUERY_RULE}`, 422);
    this.name = "HeadQueryError";
  }
}
