import { Writable } from "node:stream";
import { execa } from "execa";
import { UserError } from "@/lib/errors";
import { psqlArgs, type BinOptions } from "@/lib/postgres/commands";
import { describeConnection, maskSecret, pgEnv, type PgConnection } from "@/lib/postgres/connection";
import { explainPgFailure, missingToolError, parseCsv, PgCommandError, quoteIdent, runPsqlScript, sqlstateOf } from "@/lib/postgres/run";
import { textLiteral } from "./database-admin";

// Accidental deletion: the rows of one table that the backup (restored into a scratch
// database) has and production lacks, chosen by id, are previewed and then copied back in
// one transaction. The two databases are on the same server but PostgreSQL cannot query
// across databases: the rows travel as COPY text from a psql on the scratch database into a
// psql on the target, through this process.

export type RowSelection = { list?: (string | number)[]; from?: number; to?: number };

export const MAX_LISTED_IDS = 100_000;

/** Checks a selection as the operator gave it (plan time, no I/O). */
export function checkSelection(sel: RowSelection): RowSelection {
  const list = sel.list ?? [];
  if (list.length === 0 && sel.from === undefined && sel.to === undefined) {
    throw new UserError("Name the rows to bring back: a list of ids, or a range (from and/or to).");
  }
  if (list.length > MAX_LISTED_IDS) throw new UserError(`At most ${MAX_LISTED_IDS.toLocaleString("en-US")} ids can be listed: use a range instead.`);
  for (const id of list) {
    if (typeof id === "number" ? !Number.isFinite(id) : typeof id !== "string" || id === "" || id.includes("\u0000")) {
      throw new UserError(`Not a usable id: ${JSON.stringify(id)}.`);
    }
  }
  for (const [k, v] of [["from", sel.from], ["to", sel.to]] as const) {
    if (v !== undefined && !Number.isFinite(v)) throw new UserError(`The range's "${k}" must be a number.`);
  }
  if (sel.from !== undefined && sel.to !== undefined && sel.from > sel.to) throw new UserError("The range's \"from\" is after its \"to\".");
  return { ...(list.length > 0 ? { list: [...list] } : {}), ...(sel.from !== undefined ? { from: sel.from } : {}), ...(sel.to !== undefined ? { to: sel.to } : {}) };
}

/** "schema.table" or "table" (then: public, or the only schema that has it). */
export function parseTableName(table: string): { schema: string | null; name: string } {
  const t = table.trim();
  if (t === "" || t.includes("\u0000")) throw new UserError("Name the table the rows were deleted from.");
  const dot = t.indexOf(".");
  if (dot > 0 && dot < t.length - 1) return { schema: t.slice(0, dot), name: t.slice(dot + 1) };
  return { schema: null, name: t };
}

/** A number as a SQL numeric literal (finite numbers only). */
function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error("not a finite number");
  return String(n);
}

/** The id-list subquery, typed like the id column so that its index can be used. */
function idListSql(ids: readonly string[], idType: string): string {
  return `(SELECT v::${idType} FROM jsonb_array_elements_text(${textLiteral(JSON.stringify(ids))}::jsonb) AS v)`;
}

/** WHERE clause for a selection; values are hex-encoded or numeric, never pasted as text. */
export function selectionWhere(idColumn: string, idType: string, sel: RowSelection): string {
  const col = quoteIdent(idColumn);
  const parts: string[] = [];
  if (sel.list && sel.list.length > 0) parts.push(`${col} IN ${idListSql(sel.list.map(String), idType)}`);
  const range: string[] = [];
  if (sel.from !== undefined) range.push(`${col} >= ${numberLiteral(sel.from)}`);
  if (sel.to !== undefined) range.push(`${col} <= ${numberLiteral(sel.to)}`);
  if (range.length > 0) parts.push(`(${range.join(" AND ")})`);
  if (parts.length === 0) throw new Error("an empty selection");
  return parts.join(" OR ");
}

export type ResolvedTable = { schema: string; name: string; idColumn: string; idType: string; columns: string[] };

function qualified(t: { schema: string; name: string }): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** Finds the table and its insertable columns in a database (the restored backup). */
export async function resolveTable(conn: PgConnection, table: string, idColumn: string, bin: BinOptions = {}): Promise<ResolvedTable> {
  const { schema, name } = parseTableName(table);
  const where = `c.relname = ${textLiteral(name)}${schema !== null ? ` AND n.nspname = ${textLiteral(schema)}` : ""}`;
  const found = await runPsqlScript(
    conn,
    `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND ${where} ORDER BY (n.nspname = 'public') DESC, n.nspname`,
    bin,
  );
  if (found.length === 0) throw new UserError(`The backup has no table ${table}: check the name (schema.table).`, 404);
  if (found.length > 1 && schema === null && found[0]?.[0] !== "public") {
    throw new UserError(`Several schemas have a table ${name} (${found.map((r) => r[0]).join(", ")}): write it as schema.table.`);
  }
  const [s = "", n = ""] = found[0] ?? [];
  const cols = await runPsqlScript(
    conn,
    `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> ''
     FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = (${textLiteral(`${quoteIdent(s)}.${quoteIdent(n)}`)})::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    bin,
  );
  const id = cols.find((c) => c[0] === idColumn);
  if (!id) throw new UserError(`The table ${s}.${n} has no column ${idColumn}: columns are ${cols.map((c) => c[0]).join(", ")}.`, 404);
  return {
    schema: s,
    name: n,
    idColumn,
    idType: id[1] ?? "text",
    // Generated columns are computed by the target itself.
    columns: cols.filter((c) => c[2] !== "t").map((c) => c[0] ?? ""),
  };
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
};

async function idsIn(conn: PgConnection, t: ResolvedTable, sel: RowSelection, bin: BinOptions): Promise<string[]> {
  const col = quoteIdent(t.idColumn);
  // The alias keeps ORDER BY on the column itself (numeric order), not on its text.
  const rows = await runPsqlScript(conn, `SELECT ${col}::text AS lifeboat_id FROM ${qualified(t)} WHERE ${selectionWhere(t.idColumn, t.idType, sel)} ORDER BY ${col}`, bin);
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
  const inTarget = await resolveTable(target, `${t.schema}.${t.name}`, idColumn, bin).catch((e: unknown) => {
    if (e instanceof UserError && e.status === 404) {
      throw new UserError(`Production (${describeConnection(target)}) has no table ${t.schema}.${t.name} with a column ${idColumn}: it was dropped or renamed, which this scenario does not repair (use the database-corruption scenario).`);
    }
    throw e;
  });
  const missingCols = t.columns.filter((c) => !inTarget.columns.includes(c));
  if (missingCols.length > 0) {
    throw new UserError(`Production's ${t.schema}.${t.name} lacks the column(s) ${missingCols.join(", ")} the backup has: its schema changed since the backup, so the rows cannot be copied back as they are.`);
  }
  const backupIds = await idsIn(scratch, t, sel, bin);
  const productionIds = new Set(await idsIn(target, t, sel, bin));
  const ids = backupIds.filter((id) => !productionIds.has(id));
  return {
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

export type CopyBackResult = { previewed: number; copied: number; inserted: number; skipped: number; durationMs: number };

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
  const [outBin, ...outArgs] = psqlArgs({ database: scratch.database, file: "-", onErrorStop: true, variables: { VERBOSITY: "verbose" }, binDir: bin.binDir });
  const [inBin, ...inArgs] = psqlArgs({
    database: target.database,
    command: copyBackSql(p),
    onErrorStop: true,
    csv: true,
    singleTransaction: true,
    variables: { VERBOSITY: "verbose" },
    binDir: bin.binDir,
  });
  const outEnv = await pgEnv(scratch);
  const inEnv = await pgEnv(target);
  try {
    const into = execa(inBin, inArgs, { env: inEnv.env, extendEnv: true, stdin: "pipe", stdout: "pipe", stderr: "pipe", reject: false, cancelSignal: signal, maxBuffer: 1024 * 1024 });
    const from = execa(outBin, outArgs, {
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
    from.stdout.pipe(
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (sink.destroyed || sink.write(chunk)) return cb();
          sink.once("drain", () => cb());
        },
      }),
    );
    const out = await from;
    if (out.exitCode === 0 && !out.isCanceled) {
      sink.end();
    } else {
      into.kill("SIGKILL");
    }
    const res = await into;
    if (out.isCanceled || res.isCanceled) throw new UserError("the copy was cancelled; nothing was committed", 499);
    for (const [r, tool] of [[out, "psql"], [res, "psql"]] as const) {
      if (r.exitCode === undefined && (r.code === "ENOENT" || r.code === "EACCES")) throw missingToolError(tool, bin.binDir);
    }
    if (out.exitCode !== 0) {
      const e = explainPgFailure("psql", scratch, typeof out.stderr === "string" ? out.stderr : "", out.exitCode ?? null);
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
    return { previewed: p.ids.length, copied, inserted, skipped: copied - inserted, durationMs: Math.round(performance.now() - started) };
  } finally {
    await outEnv.cleanup();
    await inEnv.cleanup();
  }
}
