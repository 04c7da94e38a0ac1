import type { PgConnection } from "@/lib/postgres/connection";
import { quoteIdent, quoteLiteral, runQuery, type PsqlQuery, type RunOptions } from "@/lib/postgres/run";

// A dump made without --create carries nothing of the database itself: its owner, its
// `ALTER DATABASE … SET` and `ALTER ROLE … IN DATABASE … SET` settings, its grants (CONNECT,
// CREATE, TEMPORARY) and its comment. The switch-over reads them from the database it
// replaces and applies them to the restored one in the same transaction. Every value comes
// from the catalogs, which anyone who can alter the database or a role writes: names are
// quoted as identifiers, values as literals, and what does not validate is reported instead
// of run.

/** A GUC name as PostgreSQL accepts it (a plain or a custom `prefix.name`). */
const GUC_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Settings whose stored value is a list of quoted elements (pg_dumpall quotes each one). */
const LIST_SETTINGS = new Set([
  "search_path",
  "temp_tablespaces",
  "session_preload_libraries",
  "local_preload_libraries",
  "shared_preload_libraries",
  "unix_socket_directories",
]);

const PRIVILEGES = new Set(["CONNECT", "CREATE", "TEMPORARY"]);

export type DatabaseProperties = {
  /** The role running the restore (it owns the restored database until the owner is set). */
  restoreRole: string;
  owner: string | null;
  /** Whether the restore role may make `owner` the owner (superuser, or a member with CREATEDB). */
  canSetOwner: boolean;
  /** null: the default privileges (datacl is NULL), which a new database has already. */
  grants: { grantee: string | null; privilege: string; grantable: boolean }[] | null;
  /** `role` null: the database's own setting; `text` as stored (`name=value`). */
  /** `denied`: why the restore role may not store it (another role's setting, or a privileged parameter). */
  settings: { role: string | null; text: string; denied: "role" | "parameter" | null }[];
  comment: string | null;
};

/** What can be applied, as statements, and what is left for a person (with the reason). */
export type PropertyStatements = {
  statements: string[];
  notApplied: { what: string; reason: string }[];
};

/** Reads the database-level properties of `database` (on the maintenance connection `server`). */
export async function readDatabaseProperties(
  server: PgConnection,
  database: string,
  opts: RunOptions = {},
): Promise<DatabaseProperties | null> {
  return runQuery(server, databasePropertiesQuery(database), opts);
}

/** The query readDatabaseProperties runs, to run with others in one session. */
export function databasePropertiesQuery(database: string): PsqlQuery<DatabaseProperties | null> {
  return { sql: propertiesSql(database), read: readProperties };
}

function propertiesSql(database: string): string {
  const name = `convert_from(decode('${Buffer.from(database, "utf8").toString("hex")}', 'hex'), 'UTF8')`;
  const me = `(SELECT r FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)`;
  // One row per fact: kind, then up to three values (text, so CSV carries them unchanged).
  return `WITH d AS (SELECT oid, datdba, datacl FROM pg_catalog.pg_database WHERE datname = ${name})
     SELECT 'owner', o.rolname::text, ((${me}).rolsuper OR (pg_catalog.pg_has_role(current_user, d.datdba, 'MEMBER') AND (${me}).rolcreatedb))::text, current_user::text
       FROM d JOIN pg_catalog.pg_roles o ON o.oid = d.datdba
     UNION ALL SELECT 'acl-default', (d.datacl IS NULL)::text, NULL::text, NULL::text FROM d
     UNION ALL SELECT 'acl', coalesce(g.rolname::text, CASE WHEN a.grantee = 0 THEN '' END), a.privilege_type, a.is_grantable::text
       FROM d, pg_catalog.aclexplode(d.datacl) a LEFT JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
     UNION ALL SELECT 'setting', coalesce(r.rolname::text, CASE WHEN s.setrole = 0 THEN '' END), c.cfg,
       CASE WHEN NOT ((${me}).rolsuper OR s.setrole = 0 OR r.rolname = current_user
         OR ((${me}).rolcreaterole AND NOT r.rolsuper
             AND (current_setting('server_version_num')::int < 160000 OR pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER WITH ADMIN OPTION'))))
         THEN 'role'
         -- Only a superuser may store a parameter that is not of "user" context, or one this
         -- server does not know (a GRANT SET ON PARAMETER is not looked at: a warning too many).
         WHEN NOT ((${me}).rolsuper OR EXISTS (SELECT 1 FROM pg_catalog.pg_settings p
           WHERE p.name = lower(split_part(c.cfg, '=', 1)) AND p.context = 'user'))
         THEN 'parameter' ELSE 'ok' END
       FROM d JOIN pg_catalog.pg_db_role_setting s ON s.setdatabase = d.oid
       LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c(cfg)
     UNION ALL SELECT 'comment', pg_catalog.shobj_description(d.oid, 'pg_database'), NULL::text, NULL::text FROM d`;
}

function readProperties(rows: string[][]): DatabaseProperties | null {
  if (rows.length === 0) return null;
  const props: DatabaseProperties = {
    restoreRole: "",
    owner: null,
    canSetOwner: false,
    grants: null,
    settings: [],
    comment: null,
  };
  const grants: NonNullable<DatabaseProperties["grants"]> = [];
  let aclDefault = true;
  for (const [kind, a = "", b = "", c = ""] of rows) {
    if (kind === "owner") {
      props.owner = a;
      props.canSetOwner = b === "true";
      props.restoreRole = c;
    } else if (kind === "acl-default") aclDefault = a === "true";
    else if (kind === "acl") grants.push({ grantee: a === "" ? null : a, privilege: b, grantable: c === "true" });
    else if (kind === "setting")
      props.settings.push({ role: a === "" ? null : a, text: b, denied: c === "role" || c === "parameter" ? c : null });
    else if (kind === "comment" && a !== "") props.comment = a;
  }
  props.grants = aclDefault ? null : grants;
  return props;
}

/** Splits a stored list value (`"$user", public`) into its elements, as the server does. */
export function splitSettingList(value: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < value.length && /\s/.test(value[i] ?? "")) i++;
  };
  skipSpace();
  if (i === value.length) return [];
  for (;;) {
    let item = "";
    if (value[i] === '"') {
      i++;
      for (;;) {
        if (i >= value.length) return null;
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            item += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else item += value[i++];
      }
    } else {
      while (i < value.length && value[i] !== "," && !/\s/.test(value[i] ?? "")) item += value[i++];
      if (item === "") return null;
    }
    out.push(item);
    skipSpace();
    if (i === value.length) return out;
    if (value[i] !== ",") return null;
    i++;
    skipSpace();
  }
}

/** Control characters (a newline among them) are never part of a setting a person would keep. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `name TO 'value'` for a stored `name=value`, or why it cannot be written safely. */
export function settingClause(text: string): { clause: string } | { reason: string } {
  const eq = text.indexOf("=");
  if (eq <= 0) return { reason: "it is not name=value" };
  const name = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (!GUC_NAME.test(name)) return { reason: "its name is not a valid setting name" };
  if (CONTROL.test(value)) return { reason: "its value contains a control character (a newline, say)" };
  if (LIST_SETTINGS.has(name.toLowerCase())) {
    const items = splitSettingList(value);
    if (items === null) return { reason: "its list value cannot be read" };
    return { clause: `${name} TO ${items.length === 0 ? "''" : items.map(quoteLiteral).join(", ")}` };
  }
  return { clause: `${name} TO ${quoteLiteral(value)}` };
}

/** A short, printable form of a catalog value for a report (never run). */
function shown(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

/**
 * The statements that give `database` (the restored one) the properties read from the one it
 * replaces. The owner comes last: until then the restore role owns the database and may grant,
 * set and comment. `standard_conforming_strings` is forced on first, so a backslash in a
 * value is a backslash, whatever the maintenance database says.
 */
export function databasePropertyStatements(props: DatabaseProperties, database: string): PropertyStatements {
  const db = quoteIdent(database);
  const statements = ["SET LOCAL standard_conforming_strings = on"];
  const notApplied: PropertyStatements["notApplied"] = [];
  const setOwner = props.owner !== null && props.owner !== props.restoreRole;
  const ownerStatement = props.owner === null ? null : `ALTER DATABASE ${db} OWNER TO ${quoteIdent(props.owner)}`;
  if (props.grants !== null) {
    statements.push(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
    for (const g of props.grants) {
      // The owner's own privileges move with the ownership.
      if (setOwner && props.canSetOwner && g.grantee === props.owner) continue;
      if (!PRIVILEGES.has(g.privilege)) {
        notApplied.push({ what: `the grant ${shown(g.privilege)}`, reason: "it is not a database privilege" });
        continue;
      }
      statements.push(
        `GRANT ${g.privilege} ON DATABASE ${db} TO ${g.grantee === null ? "PUBLIC" : quoteIdent(g.grantee)}${g.grantable ? " WITH GRANT OPTION" : ""}`,
      );
    }
  }
  for (const s of props.settings) {
    const c = settingClause(s.text);
    const target = s.role === null ? `ALTER DATABASE ${db}` : `ALTER ROLE ${quoteIdent(s.role)} IN DATABASE ${db}`;
    if ("reason" in c) {
      notApplied.push({
        what: `the setting ${shown(s.text)}${s.role === null ? "" : ` of role ${shown(s.role)}`}`,
        reason: c.reason,
      });
    } else if (s.denied !== null) {
      notApplied.push({
        what: `${target} SET ${c.clause}`,
        reason:
          s.denied === "role"
            ? `${props.restoreRole} may not change the settings of that role (it needs CREATEROLE, or superuser): run it as a superuser`
            : `only a superuser may store this parameter (or a role granted SET on it): run it as a superuser`,
      });
    } else statements.push(`${target} SET ${c.clause}`);
  }
  if (props.comment !== null) statements.push(`COMMENT ON DATABASE ${db} IS ${quoteLiteral(props.comment)}`);
  if (setOwner && ownerStatement) {
    if (props.canSetOwner) statements.push(ownerStatement);
    else
      notApplied.push({
        what: ownerStatement,
        reason: `${props.restoreRole} cannot give the database to ${props.owner} (it must be a member of that role and have CREATEDB, or be superuser): the restored database stays owned by ${props.restoreRole} until a superuser runs this`,
      });
  }
  return { statements, notApplied };
}
