import { Writable } from "node:stream";
import { execa } from "execa";
import { z } from "zod";
import { UserError } from "@/lib/errors";
import type { BackupFormat, Manifest } from "@/lib/backups/manifest";
import { pgRestoreListArgs, psqlArgs, type BinOptions } from "@/lib/postgres/commands";
import { describeConnection, maskSecret, pgEnv, type PgConnection } from "@/lib/postgres/connection";
import {
  explainPgFailure,
  missingToolError,
  parseCsv,
  PgCommandError,
  quoteIdent,
  runPsqlScript,
  sqlstateOf,
} from "@/lib/postgres/run";
import type { BackupStorage } from "@/lib/storage/provider";
import { textLiteral } from "./database-admin";
import { minimalChildEnv } from "@/lib/env";
import { executable } from "@/lib/postgres/executable";

// Accidental deletion: the rows of one table that the backup (restored into a scratch
// database) has and production lacks, chosen by id, are previewed and then copied back in
// one transaction. The two databases are on the same server but PostgreSQL cannot query
// across databases: the rows travel as COPY text from a psql on the scratch database into a
// psql on the target, through this process.

/**
 * The rows to bring back, by id. `list` holds single ids and `ranges` inclusive ranges, all as
 * decimal text (bigints beyond 2^53 stay exact) or UUIDs. `from`/`to` is one range with an
 * optional open end, as runs planned before ranges existed stored it.
 */
export type RowSelection = {
  list?: (string | number)[];
  ranges?: { from: string; to: string }[];
  from?: number | string;
  to?: number | string;
};

const idValue = z.union([z.string(), z.number()]);
/** The stored form of a selection (validated again by checkSelection before use). */
export const rowSelectionSchema = z.object({
  list: z.array(idValue).optional(),
  ranges: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
  from: idValue.optional(),
  to: idValue.optional(),
}) satisfies z.ZodType<RowSelection>;

export const MAX_LISTED_IDS = 100_000;

const INTEGER = /^-?\d{1,38}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RANGE = /^(-?\d+)(?:-|\.\.)(-?\d+)$/;
// A key of a text id column (a code such as INV-2041): letters, digits, "_" and "-".
const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Drops leading zeros ("007" → "7", "-0" → "0") so that equal ids compare equal as text. */
function canonicalInteger(t: string): string {
  const neg = t.startsWith("-");
  const digits = (neg ? t.slice(1) : t).replace(/^0+(?=\d)/, "");
  return neg && digits !== "0" ? `-${digits}` : digits;
}

function compareIntegers(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d < BigInt(0) ? -1 : d > BigInt(0) ? 1 : 0;
}

/**
 * The ids as the operator typed them: whole numbers, ranges of them ("100-250", "100..250",
 * "100 to 250"), UUIDs or keys (INV-2041), separated by commas, semicolons or spaces. Whole
 * numbers stay text, so bigints beyond 2^53 are exact. Refuses anything else, naming the token.
 */
export function parseIds(text: string): RowSelection {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  // "100 - 250" and "100 to 250" arrive as three tokens.
  for (let i = 1; i + 1 < tokens.length; i++) {
    if (
      ["-", "..", "to"].includes(tokens[i]!.toLowerCase()) &&
      INTEGER.test(tokens[i - 1]!) &&
      INTEGER.test(tokens[i + 1]!)
    ) {
      tokens.splice(i - 1, 3, `${tokens[i - 1]}..${tokens[i + 1]}`);
    }
  }
  const list: string[] = [];
  const ranges: { from: string; to: string }[] = [];
  for (const t of tokens) {
    const range = RANGE.exec(t);
    if (INTEGER.test(t)) list.push(canonicalInteger(t));
    else if (UUID.test(t)) list.push(t.toLowerCase());
    else if (range && INTEGER.test(range[1]!) && INTEGER.test(range[2]!))
      ranges.push({ from: canonicalInteger(range[1]!), to: canonicalInteger(range[2]!) });
    else if (KEY.test(t)) list.push(t);
    else {
      throw new UserError(
        `${JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t)} is not an id: write whole numbers (1, 5, 9), ranges (100-250), UUIDs or keys, separated by commas or spaces.`,
      );
    }
  }
  if (list.length === 0 && ranges.length === 0) {
    throw new UserError("Name the deleted rows' ids: a list such as 1, 5, 9 or a range such as 100-250.");
  }
  return checkSelection({ ...(list.length ? { list } : {}), ...(ranges.length ? { ranges } : {}) });
}

function checkInteger(v: number | string, what: string): string {
  const t = typeof v === "number" ? (Number.isSafeInteger(v) ? String(v) : "") : v.trim();
  if (!INTEGER.test(t)) throw new UserError(`${what} must be a whole number, not ${JSON.stringify(v)}.`);
  return canonicalInteger(t);
}

/** Checks a selection (typed or stored) and returns it in canonical form; no I/O. */
export function checkSelection(sel: RowSelection): RowSelection {
  const list = (sel.list ?? []).map((id) => {
    const t = typeof id === "number" ? (Number.isSafeInteger(id) ? String(id) : "") : id.trim();
    if (INTEGER.test(t)) return canonicalInteger(t);
    if (UUID.test(t)) return t.toLowerCase();
    if (KEY.test(t)) return t;
    throw new UserError(
      `Not a usable id: ${JSON.stringify(id)}. Ids are whole numbers, UUIDs or keys (letters, digits, _ and -).`,
    );
  });
  const ranges = (sel.ranges ?? []).map((r) => ({
    from: checkInteger(r.from, "A range's start"),
    to: checkInteger(r.to, "A range's end"),
  }));
  const from = sel.from === undefined ? undefined : checkInteger(sel.from, `The range's "from"`);
  const to = sel.to === undefined ? undefined : checkInteger(sel.to, `The range's "to"`);
  if (list.length === 0 && ranges.length === 0 && from === undefined && to === undefined) {
    throw new UserError("Name the rows to bring back: a list of ids, or a range (from and/or to).");
  }
  if (list.length > MAX_LISTED_IDS)
    throw new UserError(`At most ${MAX_LISTED_IDS.toLocaleString("en-US")} ids can be listed: use a range instead.`);
  for (const r of ranges) {
    if (compareIntegers(r.from, r.to) > 0)
      throw new UserError(`The range ${r.from}-${r.to} starts after it ends: write it as ${r.to}-${r.from}.`);
  }
  if (from !== undefined && to !== undefined && compareIntegers(from, to) > 0)
    throw new UserError('The range\'s "from" is after its "to".');
  return {
    ...(list.length > 0 ? { list } : {}),
    ...(ranges.length > 0 ? { ranges } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

/** "5, 17, 200 or from 100 to 250" (after the column's name), for plans and summaries. */
export function describeSelection(sel: RowSelection): string {
  const parts: string[] = [];
  const list = sel.list ?? [];
  if (list.length > 0)
    parts.push(list.length <= 5 ? list.join(", ") : `in a list of ${list.length.toLocaleString("en-US")} ids`);
  for (const r of sel.ranges ?? []) parts.push(`from ${r.from} to ${r.to}`);
  if (sel.from !== undefined || sel.to !== undefined) {
    parts.push(
      sel.to === undefined
        ? `from ${sel.from}`
        : sel.from === undefined
          ? `up to ${sel.to}`
          : `from ${sel.from} to ${sel.to}`,
    );
  }
  return parts.join(" or ");
}

// --- table names --------------------------------------------------------------------------

/** One part of a table name as typed: `"Exact Case"` (quoted) or `word` (unquoted). */
export type NamePart = { text: string; quoted: boolean };
export type TableRef = { schema: NamePart | null; name: NamePart };

const UNQUOTED_PART = /^[\p{L}_][\p{L}\p{N}_$]*$/u;
const MAX_IDENTIFIER_BYTES = 63;

function checkPartLength(p: NamePart, input: string) {
  if (Buffer.byteLength(p.text, "utf8") > MAX_IDENTIFIER_BYTES) {
    throw new UserError(`${JSON.stringify(input)}: a PostgreSQL name has at most ${MAX_IDENTIFIER_BYTES} bytes.`);
  }
}

/**
 * Parses a table name the way SQL writes it: `table`, `schema.table`, each part quoted or not
 * (`"Sales"."Order Items"`, `ops."MixedCase"`, `"x""y"` for a quote inside). Refuses anything
 * else with a message naming the problem. Matching against a database: see resolveTable.
 */
export function parseTableRef(input: string): TableRef {
  const t = input.trim();
  if (t === "" || t.includes("\u0000"))
    throw new UserError("Name the table the rows were deleted from, e.g. public.transactions.");
  const parts: NamePart[] = [];
  let i = 0;
  while (i <= t.length) {
    if (t[i] === '"') {
      let text = "";
      let j = i + 1;
      for (;;) {
        const q = t.indexOf('"', j);
        if (q < 0)
          throw new UserError(`The table name ${JSON.stringify(t)} has an opening quote without a closing one.`);
        text += t.slice(j, q);
        if (t[q + 1] === '"') {
          text += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (text === "") throw new UserError(`The table name ${JSON.stringify(t)} has an empty quoted part ("").`);
      parts.push({ text, quoted: true });
    } else {
      const dot = t.indexOf(".", i);
      const raw = (dot < 0 ? t.slice(i) : t.slice(i, dot)).trim();
      if (raw === "")
        throw new UserError(`The table name ${JSON.stringify(t)} has an empty part: write schema.table or table.`);
      if (!UNQUOTED_PART.test(raw)) {
        throw new UserError(
          `The table name ${JSON.stringify(t)} is not valid: "${raw}" has characters a name can only have in double quotes (write "${raw.replace(/"/g, '""')}").`,
        );
      }
      parts.push({ text: raw, quoted: false });
      i = dot < 0 ? t.length : dot;
    }
    // After a part: the end, or a dot and the next part.
    while (t[i] === " ") i++;
    if (i >= t.length) break;
    if (t[i] !== ".")
      throw new UserError(
        `The table name ${JSON.stringify(t)} is not valid: unexpected ${JSON.stringify(t.slice(i, i + 10))}.`,
      );
    i++;
    while (t[i] === " ") i++;
    if (i >= t.length)
      throw new UserError(`The table name ${JSON.stringify(t)} ends with a dot: write schema.table or table.`);
  }
  if (parts.length > 2)
    throw new UserError(`The table name ${JSON.stringify(t)} has ${parts.length} parts: write schema.table or table.`);
  for (const p of parts) checkPartLength(p, t);
  const [a, b] = parts;
  if (!a) throw new UserError("Name the table the rows were deleted from, e.g. public.transactions.");
  return b ? { schema: a, name: b } : { schema: null, name: a };
}

/** How PostgreSQL itself reads a part: quoted exactly, unquoted with A-Z folded to lower case. */
function folded(p: NamePart): string {
  return p.quoted ? p.text : p.text.replace(/[A-Z]+/g, (c) => c.toLowerCase());
}

/** "schema.table" or "table", each part as PostgreSQL reads it (for messages and old callers). */
export function parseTableName(table: string): { schema: string | null; name: string } {
  const ref = parseTableRef(table);
  return { schema: ref.schema ? folded(ref.schema) : null, name: folded(ref.name) };
}

/** A part written so that parseTableRef reads it back exactly: bare when plain lower case, else quoted. */
function partText(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

/** `public.transactions`, `"Sales"."Order Items"`: an exact name that reads back as itself. */
export function formatTableName(schema: string, name: string): string {
  return `${partText(schema)}.${partText(name)}`;
}

/** A number as a SQL numeric literal (whole numbers only, as checked text). */
function integerLiteral(v: number | string): string {
  const t = String(v);
  if (!INTEGER.test(t)) throw new Error("not a whole number");
  return t;
}

/** The id-list subquery, typed like the id column so that its index can be used. */
function idListSql(ids: readonly string[], idType: string): string {
  return `(SELECT v::${idType} FROM jsonb_array_elements_text(${textLiteral(JSON.stringify(ids))}::jsonb) AS v)`;
}

/** WHERE clause for a selection; listed values travel as one JSON literal, ranges as checked integers. */
export function selectionWhere(idColumn: string, idType: string, sel: RowSelection): string {
  const col = quoteIdent(idColumn);
  const parts: string[] = [];
  if (sel.list && sel.list.length > 0) parts.push(`${col} IN ${idListSql(sel.list.map(String), idType)}`);
  for (const r of sel.ranges ?? [])
    parts.push(`(${col} BETWEEN ${integerLiteral(r.from)} AND ${integerLiteral(r.to)})`);
  const range: string[] = [];
  if (sel.from !== undefined) range.push(`${col} >= ${integerLiteral(sel.from)}`);
  if (sel.to !== undefined) range.push(`${col} <= ${integerLiteral(sel.to)}`);
  if (range.length > 0) parts.push(`(${range.join(" AND ")})`);
  if (parts.length === 0) throw new Error("an empty selection");
  return parts.join(" OR ");
}

export type ResolvedTable = { schema: string; name: string; idColumn: string; idType: string; columns: string[] };

function qualified(t: { schema: string; name: string }): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** The table is not in the database (or lacks the id column): a typed refusal callers branch on. */
export class MissingTableError extends UserError {
  constructor(message: string) {
    super(message, 404);
    this.name = "MissingTableError";
  }
}

/** Both spellings an unquoted part may mean: as typed, and folded to lower case. */
function spellings(p: NamePart): string[] {
  return p.quoted ? [p.text] : [...new Set([p.text, folded(p)])];
}

/**
 * Finds the table in a database. A quoted part matches exactly. An unquoted part matches a
 * table spelled exactly as typed when there is one (people type MixedCase for a table created
 * as "MixedCase"); otherwise it is folded to lower case, as PostgreSQL reads it. Without a
 * schema: public first, else the only schema that has it. Reads only.
 */
export async function findTable(
  conn: PgConnection,
  table: string,
  bin: BinOptions = {},
  /** Who has (or lacks) the table, in messages: "The backup", "user@host:5432/db". */
  where: string = describeConnection(conn),
): Promise<{ schema: string; name: string }> {
  const ref = parseTableRef(table);
  const names = spellings(ref.name);
  const schemas = ref.schema ? spellings(ref.schema) : null;
  const inList = (xs: string[]) => `(${xs.map(textLiteral).join(", ")})`;
  // Case-insensitively, so that a near miss can be suggested; the rule below decides.
  const lowered = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))];
  const rows = await runPsqlScript(
    conn,
    `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND lower(c.relname) IN ${inList(lowered(names))}${schemas ? ` AND lower(n.nspname) IN ${inList(lowered(schemas))}` : ""}
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_temp\\_%'
     ORDER BY (n.nspname = 'public') DESC, n.nspname, c.relname`,
    bin,
  );
  const found = rows.map(([schema = "", name = ""]) => ({ schema, name }));
  // Each part matches as typed or as PostgreSQL folds it; where both spellings exist, as typed wins.
  const score = (part: NamePart, value: string) => (value === part.text ? 2 : value === folded(part) ? 1 : 0);
  const scored = found
    .map((r) => ({ ...r, parts: [score(ref.name, r.name), ref.schema ? score(ref.schema, r.schema) : 2] }))
    .filter((r) => r.parts.every((p) => p > 0))
    .map((r) => ({ schema: r.schema, name: r.name, score: r.parts.reduce((a, b) => a + b, 0) }));
  const best = Math.max(0, ...scored.map((r) => r.score));
  const candidates = scored.filter((r) => r.score === best).map(({ schema, name }) => ({ schema, name }));
  const shown = table.trim();
  if (candidates.length === 0) {
    const near = found.map((r) => formatTableName(r.schema, r.name));
    throw new MissingTableError(
      `${where} has no table ${shown}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}: check the name (schema.table; double quotes for an exact spelling).`,
    );
  }
  if (candidates.length > 1 && candidates[0]?.schema !== "public") {
    throw new UserError(
      `Several tables match ${shown} (${candidates.map((r) => formatTableName(r.schema, r.name)).join(", ")}): write it as schema.table.`,
    );
  }
  return candidates[0]!;
}

/** Finds the table and its insertable columns in a database (the restored backup, or production). */
export async function resolveTable(
  conn: PgConnection,
  table: string,
  idColumn: string,
  bin: BinOptions = {},
  where = "The backup",
): Promise<ResolvedTable> {
  const { schema: s, name: n } = await findTable(conn, table, bin, where);
  const cols = await runPsqlScript(
    conn,
    `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> ''
     FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = (${textLiteral(`${quoteIdent(s)}.${quoteIdent(n)}`)})::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    bin,
  );
  const wanted = idColumnPart(idColumn);
  const id =
    cols.find((c) => c[0] === wanted.text) ??
    (wanted.quoted ? undefined : cols.find((c) => c[0] === wanted.text.toLowerCase()));
  if (!id)
    throw new MissingTableError(
      `The table ${formatTableName(s, n)} has no column ${idColumn}: columns are ${cols.map((c) => c[0]).join(", ")}.`,
    );
  return {
    schema: s,
    name: n,
    idColumn: id[0] ?? wanted.text,
    idType: id[1] ?? "text",
    // Generated columns are computed by the target itself.
    columns: cols.filter((c) => c[2] !== "t").map((c) => c[0] ?? ""),
  };
}

/** The id column as typed: `"CustomerId"` exactly, `customerid` or `CustomerId` as for tables. */
function idColumnPart(idColumn: string): NamePart {
  const t = idColumn.trim() || "id";
  if (t.startsWith('"')) {
    const ref = parseTableRef(t);
    if (ref.schema) throw new UserError(`The id column ${JSON.stringify(t)} is not one column name.`);
    return ref.name;
  }
  if (t.includes("\u0000")) throw new UserError("Name the id column of the table.");
  return { text: t, quoted: false };
}

// --- plan-time checks ---------------------------------------------------------------------

export type ArchiveSource = { storage: BackupStorage; key: string; format: BackupFormat; manifest: Manifest | null };

export type CheckedDeletion = {
  /** The table's exact name, written so that it reads back as itself (`"Sales"."Customer"`). */
  table: string;
  idColumn: string;
  idType: string;
  ids: RowSelection;
  /** How the backup was checked for the table, in words for the plan. */
  archive: string;
};

const INTEGER_BOUNDS: Record<string, [bigint, bigint]> = {
  smallint: [BigInt(-32768), BigInt(32767)],
  integer: [BigInt(-2147483648), BigInt(2147483647)],
  bigint: [BigInt("-9223372036854775808"), BigInt("9223372036854775807")],
};

/** Refuses ids the id column's type cannot hold, naming the first such id. */
export function checkIdsFitType(sel: RowSelection, idColumn: string, idType: string): void {
  const type = idType.replace(/\(.*\)$/, "").trim();
  const integers = [
    ...(sel.ranges ?? []).flatMap((r) => [r.from, r.to]),
    ...[sel.from, sel.to].filter((v) => v !== undefined).map(String),
  ];
  const numericType = type in INTEGER_BOUNDS || type === "numeric";
  if (integers.length > 0 && !numericType) {
    throw new UserError(
      `The id column ${idColumn} is ${idType}: ranges work only on whole-number ids. List the ids one by one instead.`,
    );
  }
  const listed = (sel.list ?? []).map(String);
  const values = [...listed, ...integers];
  if (numericType) {
    const bad = listed.find((v) => !INTEGER.test(v));
    if (bad !== undefined)
      throw new UserError(`${JSON.stringify(bad)} is not a whole number, but the id column ${idColumn} is ${idType}.`);
    const bounds = INTEGER_BOUNDS[type];
    const out = bounds && values.find((v) => BigInt(v) < bounds[0] || BigInt(v) > bounds[1]);
    if (out)
      throw new UserError(
        `${out} is outside what the id column ${idColumn} (${idType}) can hold, so no row has it: check the ids.`,
      );
  } else if (type === "uuid") {
    const bad = listed.find((v) => !UUID.test(v));
    if (bad !== undefined)
      throw new UserError(`${JSON.stringify(bad)} is not a UUID, but the id column ${idColumn} is uuid.`);
  }
}

/** Whether a `pg_restore --list` line names this table ("… TABLE <schema> <name> <owner>"). */
export function tocHasTable(toc: string, schema: string, name: string): boolean {
  const want = `${schema} ${name}`;
  return toc.split("\n").some((line) => {
    const rest = /^\d+; \d+ \d+ TABLE (.*)$/.exec(line.replace(/\r$/, ""))?.[1];
    if (rest === undefined) return false;
    // The owner is the last word, after the last space (empty in a dump taken without owners).
    return rest.slice(0, rest.lastIndexOf(" ")) === want;
  });
}

/** The archive's table of contents (custom or tar format), read from the start of the object only. */
async function readToc(backup: ArchiveSource, bin: BinOptions): Promise<string> {
  const [file, ...args] = pgRestoreListArgs({ binDir: bin.binDir });
  const source = await backup.storage.read(backup.key);
  const child = execa(executable(file), args, {
    stdin: "pipe",
    reject: false,
    timeout: 120_000,
    env: { ...minimalChildEnv(), LC_ALL: undefined, LC_MESSAGES: "C" },
    maxBuffer: 64 * 1024 * 1024,
  });
  child.stdin.on("error", () => {
    // pg_restore stops reading once it has the table of contents.
  });
  source.on("error", () => child.kill());
  source.pipe(child.stdin);
  const r = await child;
  source.unpipe(child.stdin);
  source.destroy();
  if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES"))
    throw missingToolError("pg_restore", bin.binDir);
  const stdout = typeof r.stdout === "string" ? r.stdout : "";
  if (r.exitCode !== 0 && !/^\d+; /m.test(stdout)) {
    const why = (typeof r.stderr === "string" ? r.stderr : "").split("\n").find((l) => l.trim()) ?? "no message";
    throw new UserError(
      `The backup's table of contents could not be read (${why.trim().slice(0, 200)}): verify the backup, or choose another one.`,
    );
  }
  return stdout;
}

/**
 * The deletion wizard's inputs, checked before anything runs (reads only): the ids parse, the
 * table and its id column exist in the target, the ids fit the column's type, and the backup
 * has the table (its manifest's table list, else the archive's table of contents).
 */
export async function checkDeletionInputs(
  target: PgConnection,
  /** null: a point-in-time restore, whose rows come from the recovery instance. */
  backup: ArchiveSource | null,
  input: { table: string; idColumn: string; ids: RowSelection },
  bin: BinOptions = {},
): Promise<CheckedDeletion> {
  const ids = checkSelection(input.ids);
  const t = await resolveTable(
    target,
    input.table,
    input.idColumn || "id",
    bin,
    `The target ${describeConnection(target)}`,
  );
  const idColumn = partText(t.idColumn);
  checkIdsFitType(ids, idColumn, t.idType);
  const table = formatTableName(t.schema, t.name);
  let archive: string;
  if (backup === null) {
    archive = `the recovered database is read for ${table} once the recovery instance is up`;
  } else if (backup.manifest) {
    if (!backup.manifest.tables.some((m) => m.schema === t.schema && m.name === t.name)) {
      throw new UserError(
        `The backup has no table ${table} (its manifest lists ${backup.manifest.tables.length} tables): choose a backup taken while the table existed.`,
      );
    }
    archive = `the backup's manifest lists ${table}`;
  } else if (backup.format === "custom" || backup.format === "tar") {
    if (!tocHasTable(await readToc(backup, bin), t.schema, t.name)) {
      throw new UserError(
        `The backup has no table ${table} (checked with pg_restore --list): choose a backup taken while the table existed.`,
      );
    }
    archive = `the backup's table of contents has ${table}`;
  } else {
    archive = `a plain SQL backup without a manifest: whether it has ${table} shows once it is restored`;
  }
  return { table, idColumn, idType: t.idType, ids, archive };
}

export type PreviewResult = {
  table: string;
  schema: string;
  name: string;
  idColumn: string;
  idType: string;
  columns: string[];
  inBackup: number;
  inProduction: number;
  /** Rows the backup has and production lacks: the ones that would be copied back. */
  missing: number;
  /** Their ids, as text. */
  ids: string[];
  /** The first missing rows as text (a few columns, long values cut), shown where the copy-back is confirmed. */
  sample?: { columns: string[]; rows: string[][] };
};

const SAMPLE_ROWS = 10;
const SAMPLE_COLUMNS = 8;
const SAMPLE_CHARS = 80;

/** The first missing rows from the scratch copy, for the operator to recognise them (reads only). */
async function sampleRows(
  conn: PgConnection,
  t: ResolvedTable,
  ids: string[],
  bin: BinOptions,
): Promise<{ columns: string[]; rows: string[][] }> {
  const columns = [t.idColumn, ...t.columns.filter((c) => c !== t.idColumn)].slice(0, SAMPLE_COLUMNS);
  const id = quoteIdent(t.idColumn);
  const select = columns.map((c) => `left(${quoteIdent(c)}::text, ${SAMPLE_CHARS})`).join(", ");
  // The id column's own type, so an index on it serves the lookup (a ::text cast would scan the table).
  const where = selectionWhere(t.idColumn, t.idType, { list: ids.slice(0, SAMPLE_ROWS) });
  const rows = await runPsqlScript(conn, `SELECT ${select} FROM ${qualified(t)} WHERE ${where} ORDER BY ${id}`, bin);
  return { columns, rows };
}

async function idsIn(conn: PgConnection, t: ResolvedTable, sel: RowSelection, bin: BinOptions): Promise<string[]> {
  const col = quoteIdent(t.idColumn);
  // The alias keeps ORDER BY on the column itself (numeric order), not on its text.
  const rows = await runPsqlScript(
    conn,
    `SELECT ${col}::text AS lifeboat_id FROM ${qualified(t)} WHERE ${selectionWhere(t.idColumn, t.idType, sel)} ORDER BY ${col}`,
    bin,
  );
  return rows.map((r) => r[0] ?? "");
}

/** The selected rows in the backup that production does not have (reads only). */
export async function previewRows(
  scratch: PgConnection,
  target: PgConnection,
  table: string,
  idColumn: string,
  sel: RowSelection,
  bin: BinOptions = {},
): Promise<PreviewResult> {
  const t = await resolveTable(scratch, table, idColumn, bin);
  const inTarget = await resolveTable(target, formatTableName(t.schema, t.name), quoteIdent(t.idColumn), bin).catch(
    (e: unknown) => {
      if (e instanceof MissingTableError) {
        throw new UserError(
          `Production (${describeConnection(target)}) has no table ${t.schema}.${t.name} with a column ${idColumn}: it was dropped or renamed, which this scenario does not repair (use the database-corruption scenario).`,
        );
      }
      throw e;
    },
  );
  const missingCols = t.columns.filter((c) => !inTarget.columns.includes(c));
  if (missingCols.length > 0) {
    throw new UserError(
      `Production's ${t.schema}.${t.name} lacks the column(s) ${missingCols.join(", ")} the backup has: its schema changed since the backup, so the rows cannot be copied back as they are.`,
    );
  }
  const backupIds = await idsIn(scratch, t, sel, bin);
  const productionIds = new Set(await idsIn(target, t, sel, bin));
  const ids = backupIds.filter((id) => !productionIds.has(id));
  const sample = ids.length > 0 ? await sampleRows(scratch, t, ids, bin) : undefined;
  return {
    ...(sample ? { sample } : {}),
    table: `${t.schema}.${t.name}`,
    schema: t.schema,
    name: t.name,
    idColumn: t.idColumn,
    idType: t.idType,
    columns: t.columns,
    inBackup: backupIds.length,
    inProduction: backupIds.length - ids.length,
    missing: ids.length,
    ids,
  };
}

export type CopyBackResult = {
  previewed: number;
  copied: number;
  inserted: number;
  skipped: number;
  durationMs: number;
};

export function copyBackSql(p: Pick<PreviewResult, "schema" | "name" | "idColumn" | "columns">): string[] {
  const t = qualified(p);
  const cols = p.columns.map(quoteIdent).join(", ");
  const id = quoteIdent(p.idColumn);
  return [
    `CREATE TEMP TABLE lifeboat_rows ON COMMIT DROP AS SELECT ${cols} FROM ${t} WITH NO DATA`,
    `COPY lifeboat_rows (${cols}) FROM STDIN`,
    `WITH ins AS (INSERT INTO ${t} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM lifeboat_rows r ` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${t} p WHERE p.${id} = r.${id}) ON CONFLICT DO NOTHING RETURNING 1) ` +
      `SELECT (SELECT count(*) FROM lifeboat_rows), (SELECT count(*) FROM ins)`,
  ];
}

function explainCopyFailure(conn: PgConnection, stderr: string, exitCode: number | null, table: string): Error {
  const text = maskSecret(stderr, conn);
  if (sqlstateOf(text) === "23503" || /violates foreign key constraint/.test(text)) {
    const constraint = /violates foreign key constraint "([^"]+)"/.exec(text)?.[1];
    const detail = /DETAIL:\s+(?:[0-9A-Z]{5}:\s+)?(.*)/.exec(text)?.[1]?.trim();
    return new UserError(
      `Nothing was copied (the transaction was rolled back): the rows of ${table} refer to rows that production no longer has either` +
        `${constraint ? ` (foreign key ${constraint}${detail ? `: ${detail}` : ""})` : ""}. ` +
        "Restoring rows whose parent rows were also deleted is out of scope here: bring back the parent rows first (run this scenario for the parent table), then these.",
      409,
    );
  }
  return explainPgFailure("psql", conn, stderr, exitCode);
}

/**
 * Copies the previewed rows into production in ONE transaction: COPY … TO STDOUT from the
 * scratch database → COPY … FROM STDIN into a temp table on the target → INSERT … SELECT of
 * the rows production still lacks, ON CONFLICT DO NOTHING. The target's psql gets the end of
 * its input only when the scratch side finished cleanly; otherwise it is killed and nothing
 * is committed.
 */
export async function copyRowsBack(
  scratch: PgConnection,
  target: PgConnection,
  p: PreviewResult,
  log: (text: string, stream?: "info" | "stdout" | "stderr" | "error") => void,
  bin: BinOptions = {},
  signal?: AbortSignal,
): Promise<CopyBackResult> {
  const started = performance.now();
  if (p.ids.length === 0) {
    log("the preview found no missing rows: nothing to copy");
    return { previewed: 0, copied: 0, inserted: 0, skipped: 0, durationMs: 0 };
  }
  const cols = p.columns.map(quoteIdent).join(", ");
  const outSql = `COPY (SELECT ${cols} FROM ${qualified(p)} WHERE ${quoteIdent(p.idColumn)} IN ${idListSql(p.ids, p.idType)}) TO STDOUT;\n`;
  const [outBin, ...outArgs] = psqlArgs({
    database: scratch.database,
    file: "-",
    onErrorStop: true,
    variables: { VERBOSITY: "verbose" },
    binDir: bin.binDir,
  });
  // The target's psql reads its script from stdin: our own BEGIN, the temp table and the COPY
  // header first, then the rows as they come, and the end of the data, the INSERT and COMMIT
  // only once the scratch side finished cleanly. psql --single-transaction would end the COPY
  // and COMMIT at any end of input, also the one a killed console leaves; without our COMMIT
  // the server rolls back.
  const [create, copyIn, insert] = copyBackSql(p);
  const [inBin, ...inArgs] = psqlArgs({
    database: target.database,
    file: "-",
    onErrorStop: true,
    csv: true,
    variables: { VERBOSITY: "verbose" },
    binDir: bin.binDir,
  });
  const outEnv = await pgEnv(scratch);
  const inEnv = await pgEnv(target);
  try {
    const into = execa(executable(inBin), inArgs, {
      env: inEnv.env,
      extendEnv: true,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      reject: false,
      cancelSignal: signal,
      maxBuffer: 1024 * 1024,
    });
    const from = execa(executable(outBin), outArgs, {
      env: outEnv.env,
      extendEnv: true,
      input: outSql,
      stdout: "pipe",
      stderr: "pipe",
      buffer: { stdout: false },
      reject: false,
      cancelSignal: signal,
      maxBuffer: { stderr: 1024 * 1024 },
    });
    into.stdin.on("error", () => {
      // The target's psql stopped (an error): its exit says why.
    });
    const sink = into.stdin;
    sink.write(`BEGIN;\n${create};\n${copyIn};\n`);
    const pump = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (sink.destroyed || sink.write(chunk)) return cb();
        const done = () => {
          sink.off("drain", done);
          sink.off("close", done);
          cb();
        };
        sink.on("drain", done);
        sink.on("close", done);
      },
    });
    // Every row handed to psql before the end of the data is written after them.
    const pumped = new Promise<void>((resolve) => pump.on("finish", resolve));
    from.stdout.pipe(pump);
    const out = await from;
    if (out.exitCode === 0 && !out.isCanceled) {
      await pumped;
      sink.end(`\\.\n${insert};\nCOMMIT;\n`);
    } else {
      into.kill("SIGKILL");
    }
    const res = await into;
    if (out.isCanceled || res.isCanceled) throw new UserError("the copy was cancelled; nothing was committed", 499);
    for (const [r, tool] of [
      [out, "psql"],
      [res, "psql"],
    ] as const) {
      if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES"))
        throw missingToolError(tool, bin.binDir);
    }
    if (out.exitCode !== 0) {
      const e = explainPgFailure(
        "psql",
        scratch,
        typeof out.stderr === "string" ? out.stderr : "",
        out.exitCode ?? null,
      );
      e.message = `reading the rows from the scratch database failed, nothing was copied: ${e.message}`;
      throw e;
    }
    const stderr = typeof res.stderr === "string" ? res.stderr : "";
    if (res.exitCode !== 0) throw explainCopyFailure(target, stderr, res.exitCode ?? null, p.table);
    const last = parseCsv(typeof res.stdout === "string" ? res.stdout : "").at(-1) ?? [];
    const copied = Number(last[0]);
    const inserted = Number(last[1]);
    if (!Number.isSafeInteger(copied) || !Number.isSafeInteger(inserted)) {
      throw new PgCommandError("psql", 0, "", "the copy finished but psql did not report how many rows it inserted");
    }
    return {
      previewed: p.ids.length,
      copied,
      inserted,
      skipped: copied - inserted,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await outEnv.cleanup();
    await inEnv.cleanup();
  }
}
