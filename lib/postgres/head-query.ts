// Where a database's migration head is read from. An admin names a migration tool (a preset)
// or a table and column; Lifeboat writes the query itself with every name identifier-quoted.
// No text an admin typed ever reaches psql as SQL: a free-text query setting was a way to run
// psql meta-commands (`\! cmd` runs a shell command on the console's server).
// Pure (no I/O): the database form shows the query it builds, the server runs it.

import { UserError } from "@/lib/errors";

export const HEAD_KINDS = ["alembic", "flyway", "prisma", "django", "rails", "custom", "none"] as const;
export type HeadKind = (typeof HEAD_KINDS)[number];

export type HeadSource = {
  kind: HeadKind;
  /** The schema of the table; null: the first one on the search path that has it. */
  schema: string | null;
  /** Custom only: the table, the column holding the head, and the column ordering rows (newest last). */
  table: string | null;
  column: string | null;
  orderBy: string | null;
};

export const DEFAULT_HEAD_SOURCE: HeadSource = {
  kind: "alembic",
  schema: null,
  table: null,
  column: null,
  orderBy: null,
};
export const NO_HEAD_SOURCE: HeadSource = { kind: "none", schema: null, table: null, column: null, orderBy: null };

export const HEAD_KIND_LABELS: Record<HeadKind, string> = {
  alembic: "Alembic — alembic_version.version_num",
  flyway: "Flyway — flyway_schema_history, version of the newest successful migration",
  prisma: "Prisma — _prisma_migrations, newest finished migration",
  django: "Django — django_migrations, newest applied app.migration",
  rails: "Rails — schema_migrations, highest version",
  custom: "Another table: name its table and column",
  none: "None: do not read a migration head",
};

export const MAX_IDENTIFIER_BYTES = 63;

/** Why a table, schema or column name is not accepted, or null. Names are quoted, so only a few characters are refused. */
export function identifierProblem(label: string, name: string): string | null {
  if (name === "") return `${label} is empty`;
  if (new TextEncoder().encode(name).length > MAX_IDENTIFIER_BYTES)
    return `${label} is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return `${label} contains control characters`;
  // A quoted name may hold a backslash, but no migration table has one, and refusing it keeps
  // anything psql could read as a meta-command out of the query.
  if (name.includes("\\")) return `${label} contains a backslash`;
  return null;
}

/** "name" with embedded quotes doubled: the server reads it as exactly this one name. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** What is wrong with the setting (each problem names its field), or an empty list. */
export function headSourceProblems(
  s: HeadSource,
): { field: "schema" | "table" | "column" | "orderBy"; message: string }[] {
  const out: { field: "schema" | "table" | "column" | "orderBy"; message: string }[] = [];
  const check = (
    field: "schema" | "table" | "column" | "orderBy",
    label: string,
    v: string | null,
    required: boolean,
  ) => {
    if (v === null || v === "") {
      if (required) out.push({ field, message: `${label} is required for another table` });
      return;
    }
    const p = identifierProblem(label, v);
    if (p) out.push({ field, message: p });
  };
  if (s.kind === "none") return out;
  check("schema", "The schema", s.schema, false);
  if (s.kind === "custom") {
    check("table", "The table", s.table, true);
    check("column", "The column", s.column, true);
    check("orderBy", "The ordering column", s.orderBy, false);
  }
  return out;
}

/**
 * The query Lifeboat runs for the setting (every name quoted), or null for "none". Throws
 * HeadSettingError when a stored name is not accepted (checked at save, and again here).
 */
export function headQuerySql(s: HeadSource): string | null {
  if (s.kind === "none") return null;
  const problem = headSourceProblems(s)[0];
  if (problem) throw new HeadSettingError(problem.message);
  const table = (name: string) => (s.schema ? `${ident(s.schema)}.${ident(name)}` : ident(name));
  switch (s.kind) {
    case "alembic":
      // Several rows are several branch heads: all of them, in a stable order.
      return `SELECT string_agg("version_num", ',' ORDER BY "version_num") FROM ${table("alembic_version")}`;
    case "flyway":
      // Repeatable migrations have no version; a failed one is not the head.
      return `SELECT "version" FROM ${table("flyway_schema_history")} WHERE "success" AND "version" IS NOT NULL ORDER BY "installed_rank" DESC LIMIT 1`;
    case "prisma":
      return `SELECT "migration_name" FROM ${table("_prisma_migrations")} WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL ORDER BY "migration_name" DESC LIMIT 1`;
    case "django":
      return `SELECT "app" || '.' || "name" FROM ${table("django_migrations")} ORDER BY "applied" DESC, "id" DESC LIMIT 1`;
    case "rails":
      return `SELECT "version" FROM ${table("schema_migrations")} ORDER BY length("version") DESC, "version" DESC LIMIT 1`;
    case "custom": {
      const column = ident(s.column ?? "");
      const order = s.orderBy ? ident(s.orderBy) : column;
      return `SELECT ${column} FROM ${table(s.table ?? "")} ORDER BY ${order} DESC NULLS LAST LIMIT 1`;
    }
  }
}

/** For people: "alembic (alembic_version.version_num)", "custom: app.versions.v". */
export function describeHeadSource(s: HeadSource): string {
  const schema = s.schema ? `${s.schema}.` : "";
  switch (s.kind) {
    case "none":
      return "not read (no migration table set)";
    case "alembic":
      return `Alembic (${schema}alembic_version.version_num)`;
    case "flyway":
      return `Flyway (${schema}flyway_schema_history)`;
    case "prisma":
      return `Prisma (${schema}_prisma_migrations)`;
    case "django":
      return `Django (${schema}django_migrations)`;
    case "rails":
      return `Rails (${schema}schema_migrations)`;
    case "custom":
      return `${schema}${s.table ?? "?"}.${s.column ?? "?"}${s.orderBy ? `, newest by ${s.orderBy}` : ""}`;
  }
}

// An unknown kind reads as "none" rather than guessing.
export type HeadColumns = {
  migrationHeadKind: string;
  migrationHeadSchema: string | null;
  migrationHeadTable: string | null;
  migrationHeadColumn: string | null;
  migrationHeadOrderBy: string | null;
};

/** A stored row's columns as a setting (no kind at all: the column's default, alembic). */
export function headSourceOf(row: Partial<HeadColumns>): HeadSource {
  const stored = row.migrationHeadKind ?? "alembic";
  const kind = (HEAD_KINDS as readonly string[]).includes(stored) ? (stored as HeadKind) : "none";
  return {
    kind,
    schema: row.migrationHeadSchema || null,
    table: row.migrationHeadTable || null,
    column: row.migrationHeadColumn || null,
    orderBy: row.migrationHeadOrderBy || null,
  };
}

export class HeadSettingError extends UserError {
  constructor(problem: string) {
    super(
      `the migration head setting is not accepted (${problem}), so Lifeboat did not read the head: in Settings → Databases, choose the migration tool or name its table and column`,
      422,
    );
    this.name = "HeadSettingError";
  }
}
