// A validation query is SQL an admin typed, run on the restored scratch database. It must be one
// read-only statement: it runs as its own psql --command inside BEGIN READ ONLY with a statement
// timeout (lib/postgres/run.ts runPsqlQuery), and this check comes first, so that a second
// statement (`SELECT 1; COMMIT; DROP TABLE users`) can never end the read-only transaction and a
// psql meta-command (`\! rm -rf /`) never reaches psql. Pure: the form and the run share it.
//
// The lexer reads the text as PostgreSQL does: 'strings' (with '' inside), E'strings' (with
// backslash escapes), "identifiers", $tag$dollar quotes$tag$, -- and nested /* */ comments.
// Whatever it cannot read exactly (an unterminated quote or comment) is refused.

export const MAX_QUERY_LENGTH = 10_000;

/** The first words a read-only query may start with. */
const READ_ONLY_STARTS = new Set(["select", "with", "values", "table"]);

export type QueryCheck = { ok: true; sql: string } | { ok: false; problem: string };

/** Why `sql` cannot be a validation query, or the statement without its trailing semicolon. */
export function checkValidationQuery(raw: string): QueryCheck {
  const sql = raw.trim();
  if (sql === "") return { ok: false, problem: "Enter the query, e.g. SELECT count(*) FROM users." };
  if (sql.length > MAX_QUERY_LENGTH)
    return {
      ok: false,
      problem: `A validation query has at most ${MAX_QUERY_LENGTH.toLocaleString("en-US")} characters.`,
    };
  if (sql.includes("\u0000")) return { ok: false, problem: "A query cannot contain a NUL character." };
  // Word characters outside quotes and comments, and where the first statement ends.
  const words: string[] = [];
  let end: number | null = null;
  let i = 0;
  let word = "";
  const flush = () => {
    if (word) words.push(word.toLowerCase());
    word = "";
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (end !== null && !/\s/.test(c) && !(c === "-" && next === "-") && !(c === "/" && next === "*")) {
      return {
        ok: false,
        problem:
          "Only one statement is allowed: remove everything after the first semicolon (a validation query is a single SELECT).",
      };
    }
    if (c === "-" && next === "-") {
      flush();
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? sql.length : nl + 1;
      continue;
    }
    if (c === "/" && next === "*") {
      flush();
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) return { ok: false, problem: "A /* comment is not closed." };
      continue;
    }
    if (c === "'") {
      // E'…' (the E was read as a word character just before): backslash escapes.
      const escaped = word.toLowerCase() === "e";
      flush();
      i++;
      let closed = false;
      while (i < sql.length) {
        if (escaped && sql[i] === "\\") {
          i += 2;
          continue;
        }
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        i++;
      }
      if (!closed) return { ok: false, problem: "A quoted string ' is not closed." };
      continue;
    }
    if (c === '"') {
      flush();
      const close = sql.indexOf('"', i + 1);
      if (close === -1) return { ok: false, problem: 'A quoted name " is not closed.' };
      i = close + 1;
      // "" inside an identifier: the scan continues with the next quote.
      continue;
    }
    if (c === "$" && !/[a-z0-9_]/i.test(word.slice(-1))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        flush();
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close === -1) return { ok: false, problem: `A dollar quote ${tag[0]} is not closed.` };
        i = close + tag[0].length;
        continue;
      }
    }
    if (c === "\\") {
      return {
        ok: false,
        problem:
          "A backslash outside a string is a psql command, which a validation query may not use: write plain SQL.",
      };
    }
    if (c === ";") {
      flush();
      end = i;
      i++;
      continue;
    }
    if (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80) word += c;
    else flush();
    i++;
  }
  flush();
  const first = words[0];
  if (!first || !READ_ONLY_STARTS.has(first)) {
    return {
      ok: false,
      problem: `A validation query reads only: it starts with SELECT, WITH, VALUES or TABLE${first ? `, not ${first.toUpperCase()}` : ""}.`,
    };
  }
  return { ok: true, sql: (end === null ? sql : sql.slice(0, end)).trim() };
}
