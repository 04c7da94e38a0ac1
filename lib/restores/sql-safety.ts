import { Transform, type TransformCallback } from "node:stream";
import { isCopyEnd, skipCopyData } from "./copy-data";

// A plain SQL dump is a psql script, and psql scripts can do more than SQL: meta-commands
// such as `\! cmd`, `\o |cmd`, `\g |cmd`, `\copy … program`, `\setenv`, `\i file` run
// programs or touch files on the machine that runs psql (here: the console's server). This
// scanner reads the script the way psql's lexer does and reports every backslash command
// outside string literals, quoted identifiers, dollar quotes, comments and COPY … FROM stdin
// data blocks. pg_dump itself writes only `\restrict KEY` / `\unrestrict KEY` (first and last
// line, since 13.22/14.19/15.14/16.10/17.6), `\connect` (with --create, not supported here)
// and `\.` (end of COPY data).
//
// It is one layer of two: a plain dump is restored only with psql in restricted mode
// (`\restrict`, where psql itself refuses meta-commands). A script could still change how psql reads quotes at run time (for
// example by turning standard_conforming_strings off from a DO block); restricted mode is
// what holds then. Mentions of standard_conforming_strings and client_encoding other than
// pg_dump's own SET lines are refused because they change how psql splits the text.
//
// Lines are read as latin1 (one char per byte): psql's lexer works on bytes, and every byte
// >= 0x80 is an identifier character to it, as it is here.

export type SqlFinding = { line: number; text: string; reason: string };

// psql's lexer reads a dollar-quote tag of any length; pg_dump writes short ones ($$, $_$,
// $__$ …). A longer tag is refused rather than followed: whatever the scanner cannot read
// exactly as psql does is a construct it cannot check.
const MAX_DOLLAR_TAG = 63;
// The text of one statement, string and dollar-quote contents included, kept for the checks
// below; a longer statement is refused (pg_dump's statements are far shorter; data is in COPY blocks).
const MAX_STATEMENT_CHARS = 16 * 1024 * 1024;

// Statements that make the database server (not psql) run programs or touch its files. The
// text checked includes string literals and dollar-quoted bodies, with '…' || '…' joins
// removed so that 'COPY t FROM PROG' || 'RAM …' reads as one word. pg_dump writes none of
// these for an ordinary database.
const SERVER_SIDE_RISKS: { re: RegExp; reason: string }[] = [
  {
    re: /\bcopy\b[^;]*?\bprogram\b/i,
    reason: "COPY … PROGRAM runs a shell command on the database server",
  },
  {
    re: /\bcopy\b[^;]*?\b(from|to)\s+(e\s*)?'/i,
    reason: "COPY with a file name reads or writes a file on the database server",
  },
  {
    re: /\blo_(import|export)\s*\(/i,
    reason: "lo_import/lo_export read or write files on the database server",
  },
  {
    re: /\bpg_(read_file|read_binary_file|file_write)\s*\(/i,
    reason: "reads or writes files on the database server",
  },
  { re: /\balter\s+system\b/i, reason: "ALTER SYSTEM changes the database server's configuration" },
  {
    re: /\b(language|extension)\s+(if\s+not\s+exists\s+)?["']?(c|internal|plpython[23]?u|plperlu|pltclu|plsh)\b["']?/i,
    reason:
      "an untrusted language (C, plpython3u, plperlu, …) runs code as the database server's operating-system user",
  },
];

const MAX_FINDINGS = 20;
const MAX_SHOWN = 160;

type Quote =
  | { kind: "std" } // '…' with standard_conforming_strings on: '' is a quote, \ is literal
  | { kind: "esc" } // E'…': \ escapes the next character
  | { kind: "ident" } // "…"
  | { kind: "dollar"; tag: string } // $tag$…$tag$
  | { kind: "block"; depth: number }; // /* … */, nested

// Sticky, on the whole line: psql's lexer puts no limit on a tag's length.
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\u00ff][A-Za-z_0-9\u0080-\u00ff]*)?\$/y;

const isIdentStart = (c: string) => /[A-Za-z_\u0080-\u00ff]/.test(c);
const isIdentCont = (c: string) => /[A-Za-z_0-9$\u0080-\u00ff]/.test(c);
const isSpace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\f" || c === "\v";

// Encodings psql may be switched to whose multibyte characters can contain the bytes of
// "\" or quotes: the scanner (like a byte-level reader) would then see other tokens than psql.
const CLIENT_ONLY_ENCODINGS = new Set([
  "sjis",
  "shift_jis_2004",
  "big5",
  "gbk",
  "uhc",
  "gb18030",
  "johab",
  "win932",
  "win936",
  "win949",
  "win950",
  "shiftjis2004",
  "cp932",
  "cp936",
  "cp949",
  "cp950",
  "mskanji",
  "shiftjis",
  "tcvn",
  "tcvn5712",
  "vscii",
  "abc",
]);

// Variables psql sets by itself (and VERBOSITY, which Lifeboat sets).
const PSQL_VARIABLES = new Set(
  "AUTOCOMMIT COMP_KEYWORD_CASE DBNAME ECHO ECHO_HIDDEN ENCODING ERROR FETCH_COUNT HIDE_TABLEAM HIDE_TOAST_COMPRESSION HISTCONTROL HISTFILE HISTSIZE HOST IGNOREEOF LASTOID LAST_ERROR_MESSAGE LAST_ERROR_SQLSTATE ON_ERROR_ROLLBACK ON_ERROR_STOP PORT PROMPT1 PROMPT2 PROMPT3 QUIET ROW_COUNT SERVER_VERSION_NAME SERVER_VERSION_NUM SHELL_ERROR SHELL_EXIT_CODE SHOW_ALL_RESULTS SHOW_CONTEXT SINGLELINE SINGLESTEP SQLSTATE USER VERBOSITY VERSION VERSION_NAME VERSION_NUM".split(
    " ",
  ),
);

function metaReason(name: string): string {
  switch (name) {
    case "!":
      return "runs a shell command on the console's server";
    case "o":
    case "out":
      return "sends query output to a file or to a shell command";
    case "g":
    case "gx":
    case "gexec":
    case "gset":
    case "gdesc":
      return "sends the query elsewhere (a file or a shell command) or runs its results as SQL";
    case "w":
    case "write":
      return "writes to a file or to a shell command";
    case "copy":
      return "reads or writes files on the console's server, or runs a program";
    case "setenv":
      return "changes the environment of later shell commands";
    case "i":
    case "ir":
    case "include":
    case "include_relative":
      return "runs another file from the console's server";
    case "e":
    case "edit":
    case "ef":
    case "ev":
      return "starts an editor (a program)";
    case "c":
    case "connect":
      return "switches to another database, so the rest would not go into the database being restored (dumps made with pg_dump --create or pg_dumpall are not supported: make the dump without --create)";
    case "set":
    case "unset":
      return "changes psql's settings";
    case "restrict":
    case "unrestrict":
      return "pg_dump writes this alone on the first or the last line only";
    case ".":
      return "an end-of-data marker outside a COPY block";
    default:
      return "a psql meta-command that pg_dump does not write";
  }
}

/** Reads a psql script line by line (lines without their "\n", decoded as latin1). */
export class PsqlScriptScanner {
  lineNo = 0;
  readonly findings: SqlFinding[] = [];
  findingCount = 0;
  copyBlocks = 0;
  statements = 0;
  droppedLines = 0;
  inCopy = false;

  private quote: Quote | null = null;
  private parenDepth = 0;
  private beginDepth = 0;
  private identifiers: string[] = ["", "", "", ""];
  private identifierCount = 0;
  /** The current statement outside strings and comments, whitespace collapsed (capped). */
  private stmt = "";
  private stmtIsCopy: boolean | null = null;
  private token: { kind: "ident" | "number"; text: string } | null = null;
  /** The current statement's full text (quotes' contents included, `--` comments left out). */
  private raw = "";
  private rawFrom = 0;
  /** Things worth a line in the log that do not stop the restore. */
  readonly warnings: SqlFinding[] = [];

  private find(text: string, reason: string) {
    this.findingCount++;
    if (this.findings.length >= MAX_FINDINGS) return;
    const shown = Buffer.from(text.trim(), "latin1").toString("utf8");
    this.findings.push({
      line: this.lineNo,
      text: shown.length > MAX_SHOWN ? shown.slice(0, MAX_SHOWN) + "…" : shown,
      reason,
    });
  }

  /**
   * Reads one line. Returns false for a line to leave out of what psql is given: pg_dump's
   * own `\restrict` / `\unrestrict` lines (the restore brings its own key) and
   * `\set ON_ERROR_STOP on` (already set).
   */
  push(line: string): boolean {
    this.lineNo++;
    if (this.inCopy) {
      if (line === "\\." || line === "\\.\r") this.inCopy = false;
      return true;
    }
    const atBoundary = this.quote === null && this.stmt === "" && this.parenDepth === 0 && this.beginDepth === 0;
    if (atBoundary && /^\\(restrict|unrestrict) [A-Za-z0-9]+\r?$/.test(line)) {
      this.droppedLines++;
      return false;
    }
    if (atBoundary && /^\\set ON_ERROR_STOP (on|1|true)\s*$/i.test(line)) {
      this.droppedLines++;
      return false;
    }
    if (/standard_conforming_strings|client_encoding/i.test(line)) this.checkSettingLine(line, atBoundary);
    this.scan(line);
    return true;
  }

  /** At the end of the script: psql runs a last statement even without its semicolon. */
  finish() {
    if (this.inCopy) return;
    this.checkStatementText("(the last statement, at the end of the file)");
  }

  private checkSettingLine(line: string, atBoundary: boolean) {
    if (atBoundary && /^SET standard_conforming_strings = on;\r?$/.test(line)) return;
    const enc = /^SET client_encoding = '([A-Za-z0-9_]+)';\r?$/.exec(line)?.[1];
    if (atBoundary && enc !== undefined) {
      if (!CLIENT_ONLY_ENCODINGS.has(enc.toLowerCase())) return;
      this.find(line, `switches psql to the client-only encoding ${enc}, whose characters can hide backslashes`);
      return;
    }
    this.find(
      line,
      "changes how psql reads quotes or bytes (pg_dump only writes SET standard_conforming_strings = on and SET client_encoding)",
    );
  }

  private endToken() {
    const t = this.token;
    this.token = null;
    if (t?.kind === "ident") this.onIdentifier(t.text);
  }

  // psql's heuristic (psqlscan.l) for CREATE FUNCTION/PROCEDURE … BEGIN ATOMIC … END bodies,
  // whose semicolons do not end the statement.
  private onIdentifier(word: string) {
    const w = word.toLowerCase();
    if (this.identifierCount === 0) this.identifiers = ["", "", "", ""];
    if (["create", "function", "procedure", "or", "replace"].includes(w) && this.identifierCount < 4) {
      this.identifiers[this.identifierCount] = w[0] ?? "";
    }
    this.identifierCount++;
    const [a, b, c, d] = this.identifiers;
    if (
      a === "c" &&
      (b === "f" || b === "p" || (b === "o" && c === "r" && (d === "f" || d === "p"))) &&
      this.parenDepth === 0
    ) {
      if (w === "begin") this.beginDepth++;
      else if (w === "case") {
        if (this.beginDepth > 0) this.beginDepth++;
      } else if (w === "end") {
        if (this.beginDepth > 0) this.beginDepth--;
      }
    }
  }

  private addStmt(text: string) {
    if (this.stmtIsCopy === null && this.stmt.trim().length >= 5) this.stmtIsCopy = /^copy\s/i.test(this.stmt.trim());
    // Only a COPY statement's text is needed in full (its FROM stdin may come after a long
    // column list); of any other statement the start is enough to know it is not COPY.
    if (this.stmtIsCopy === false && this.stmt.length > 64) return;
    if (this.stmt.length > 1_000_000) return;
    if (text === " ") {
      if (this.stmt !== "" && !this.stmt.endsWith(" ")) this.stmt += " ";
    } else {
      this.stmt += text;
    }
  }

  private addRaw(text: string) {
    if (this.raw.length > MAX_STATEMENT_CHARS) return;
    this.raw += text;
    if (this.raw.length > MAX_STATEMENT_CHARS)
      this.find(
        this.raw.slice(0, 80),
        `a statement longer than ${MAX_STATEMENT_CHARS / 1024 / 1024} MB: a construct Lifeboat cannot check safely`,
      );
  }

  /** The checks on what the database server will be asked to do. */
  private checkStatementText(line: string) {
    const raw = this.raw;
    this.raw = "";
    if (raw.length > MAX_STATEMENT_CHARS) return;
    const text = raw
      .replace(/'\s*\|\|\s*(e\s*)?'/gi, "")
      .replace(/\s+/g, " ")
      .trim();
    if (text === "") return;
    for (const { re, reason } of SERVER_SIDE_RISKS) {
      if (re.test(text)) this.find(line, reason);
    }
    const dynamic = /\bexecute\b/i.test(text);
    if (dynamic && /^do\b/i.test(text)) {
      // A DO block runs during the restore; what its EXECUTE builds is only known at run time.
      this.find(line, "a DO block with EXECUTE: dynamic SQL the scanner cannot check (pg_dump never writes DO blocks)");
    } else if (dynamic && /^create\b/i.test(text) && /\bexecute\b\s*(?!'[^']*'\s*(;|using\b|into\b))/i.test(text)) {
      // Functions and procedures run only when called; many applications build SQL in them.
      // The restore role's rights are what holds here, so this is noted, not refused.
      if (this.warnings.length < MAX_FINDINGS)
        this.warnings.push({
          line: this.lineNo,
          text: line.trim().slice(0, MAX_SHOWN),
          reason: "a function or procedure builds SQL at run time (EXECUTE): dynamic SQL the scanner cannot check",
        });
    }
  }

  private endStatement(line: string, semicolonAt: number) {
    this.endToken();
    this.addRaw(line.slice(this.rawFrom, semicolonAt));
    this.rawFrom = semicolonAt + 1;
    this.checkStatementText(line);
    const s = this.stmt.trim();
    this.stmt = "";
    this.stmtIsCopy = null;
    this.parenDepth = 0;
    this.beginDepth = 0;
    this.identifierCount = 0;
    if (s === "") return;
    this.statements++;
    if (!/^copy\s/i.test(s)) return;
    if (/\bprogram\b/i.test(s)) this.find(line, "COPY … PROGRAM runs a shell command on the database server");
    if (/\bfrom\s+stdin\b/i.test(s)) {
      const rest = line.slice(semicolonAt + 1);
      if (rest.trim() !== "")
        this.find(line, "text follows COPY … FROM stdin on the same line (pg_dump ends the line there)");
      this.inCopy = true;
      this.copyBlocks++;
    }
  }

  /** Inside a quoted string or identifier: a doubled quote is a literal one, a single one ends it. */
  private insideQuotes(line: string, i: number, quoteChar: string): number {
    if (line[i] !== quoteChar) return i + 1;
    if (line[i + 1] === quoteChar) return i + 2;
    this.quote = null;
    return i + 1;
  }
  private scan(line: string) {
    let i = 0;
    const n = line.length;
    this.rawFrom = 0;
    let rawTo = n;
    while (i < n) {
      const q = this.quote;
      const c = line[i] ?? "";
      if (q !== null) {
        switch (q.kind) {
          case "block":
            if (line.startsWith("/*", i)) {
              q.depth++;
              i += 2;
            } else if (line.startsWith("*/", i)) {
              q.depth--;
              i += 2;
              if (q.depth === 0) {
                this.quote = null;
                this.addStmt(" ");
              }
            } else i++;
            break;
          case "esc":
            i = c === "\\" ? i + 2 : this.insideQuotes(line, i, "'");
            break;
          case "std":
            i = this.insideQuotes(line, i, "'");
            break;
          case "ident":
            i = this.insideQuotes(line, i, '"');
            break;
          case "dollar": {
            const end = line.indexOf(q.tag, i);
            if (end < 0) i = n;
            else {
              i = end + q.tag.length;
              this.quote = null;
            }
            break;
          }
        }
        continue;
      }

      if (isSpace(c)) {
        this.endToken();
        this.addStmt(" ");
        i++;
        continue;
      }
      if (line.startsWith("--", i)) {
        this.endToken();
        rawTo = i;
        break; // a comment to the end of the line
      }
      if (line.startsWith("/*", i)) {
        this.endToken();
        this.quote = { kind: "block", depth: 1 };
        i += 2;
        continue;
      }
      if (c === "\\") {
        this.endToken();
        const name = /^\\([A-Za-z_]+|.?)/s.exec(line.slice(i))?.[1] ?? "";
        this.find(line, `\\${name}: ${metaReason(name)}`);
        return; // psql takes the rest of the line as the command's arguments
      }
      if (c === "'") {
        // E'…' only when the E is a token of its own (as psql's lexer decides: "fooE'x'" and
        // "1E'x'" are an identifier or a number followed by a standard string).
        const escaped = this.token?.kind === "ident" && (this.token.text === "E" || this.token.text === "e");
        if (escaped) this.token = null;
        else this.endToken();
        this.quote = escaped ? { kind: "esc" } : { kind: "std" };
        this.addStmt("''");
        i++;
        continue;
      }
      if (c === ":" && line[i + 1] !== ":" && line[i - 1] !== ":") {
        // psql replaces :NAME by the variable's value and reads that value as input, meta-
        // commands included. pg_dump never writes one; psql's own variables are refused (their
        // values can come from the server, e.g. LAST_ERROR_MESSAGE).
        const name = /^:([A-Za-z_\u0080-\u00ff][A-Za-z_0-9\u0080-\u00ff]*)/.exec(line.slice(i, i + 64))?.[1];
        if (name !== undefined && PSQL_VARIABLES.has(name)) {
          this.find(line, `:${name} inserts the value of a psql variable, which psql reads as input`);
        }
      }
      if (c === '"') {
        this.endToken();
        this.quote = { kind: "ident" };
        this.addStmt('""');
        i++;
        continue;
      }
      if (c === "$" && this.token?.kind !== "ident") {
        DOLLAR_TAG.lastIndex = i;
        const m = DOLLAR_TAG.exec(line);
        if (m) {
          if (m[0].length - 2 > MAX_DOLLAR_TAG)
            this.find(
              line,
              `a dollar-quote tag of ${m[0].length - 2} characters: a construct Lifeboat cannot check safely (pg_dump writes short tags)`,
            );
          this.endToken();
          this.quote = { kind: "dollar", tag: m[0] };
          this.addStmt(" $$ ");
          i += m[0].length;
          continue;
        }
      }
      if (this.token?.kind === "ident" && isIdentCont(c)) {
        this.token.text += c;
      } else if (this.token?.kind === "number" && /[A-Za-z0-9_.]/.test(c)) {
        this.token.text += c;
      } else {
        this.endToken();
        if (isIdentStart(c)) this.token = { kind: "ident", text: c };
        else if (/[0-9]/.test(c)) this.token = { kind: "number", text: c };
      }
      if (c === "(") this.parenDepth++;
      else if (c === ")") this.parenDepth = Math.max(0, this.parenDepth - 1);
      if (c === ";" && this.parenDepth === 0 && this.beginDepth === 0) {
        this.endStatement(line, i);
        if (this.inCopy) return; // the following lines are data
        i++;
        continue;
      }
      this.addStmt(c);
      i++;
    }
    // A line break ends any identifier or number.
    this.endToken();
    this.addStmt(" ");
    this.addRaw(line.slice(this.rawFrom, rawTo) + "\n");
  }
}

/** The dump contains something Lifeboat will not hand to psql. */
export class UnsafeSqlError extends Error {
  constructor(
    public readonly findings: SqlFinding[],
    public readonly total: number,
  ) {
    const first = findings
      .slice(0, 3)
      .map((f) => `line ${f.line.toLocaleString("en-US")}: ${f.text} (${f.reason})`)
      .join("; ");
    super(
      `the plain SQL dump contains ${total} psql command${total === 1 ? "" : "s"} or statement${total === 1 ? "" : "s"} that pg_dump does not write, ` +
        `which could run programs or touch files on the console's or the database's server: ${first}${total > 3 ? ` and ${total - 3} more` : ""}. ` +
        "Lifeboat does not restore it: the file was probably altered or not made by pg_dump. Restore another backup (one made by Lifeboat), or inspect this file by hand",
    );
    this.name = "UnsafeSqlError";
  }
}

const NL = 0x0a;

/**
 * A stream filter for a psql script: scans every line (PsqlScriptScanner), fails with
 * UnsafeSqlError at the first finding (before that line is passed on), leaves out pg_dump's
 * own `\restrict` lines and, with `restrictKey`, starts the output with `\restrict KEY` so that
 * psql runs the rest in restricted mode.
 */
export class PsqlScriptGuard extends Transform {
  readonly scanner = new PsqlScriptScanner();
  private pending: Buffer[] = [];
  private started = false;

  constructor(private readonly opts: { restrictKey?: string } = {}) {
    super();
    if (opts.restrictKey !== undefined && !/^[A-Za-z0-9]{16,}$/.test(opts.restrictKey)) {
      throw new Error("a restrict key is at least 16 letters and digits");
    }
  }

  private start() {
    if (this.started) return;
    this.started = true;
    if (this.opts.restrictKey) this.push(Buffer.from(`\\restrict ${this.opts.restrictKey}\n`));
  }

  /** Handles one complete line (without "\n"); false when it is to be left out. */
  private line(bytes: Buffer): boolean {
    const s = this.scanner;
    if (s.inCopy) {
      // Data lines: only the end marker matters, no decoding needed.
      s.lineNo++;
      if (isCopyEnd(bytes)) s.inCopy = false;
      return true;
    }
    return s.push(bytes.toString("latin1"));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.start();
    let from = 0; // start of the current line in `chunk`
    let keepFrom = 0; // start of the bytes not yet passed on
    for (;;) {
      if (this.scanner.inCopy && this.pending.length === 0) {
        // Data lines are passed on as they are: counted, not handled one by one.
        const skip = skipCopyData(chunk, from);
        this.scanner.lineNo += skip.lines;
        from = skip.next;
        if (!skip.found) break;
      }
      const nl = chunk.indexOf(NL, from);
      if (nl < 0) break;
      let bytes = chunk.subarray(from, nl);
      let joined = false;
      if (this.pending.length > 0) {
        bytes = Buffer.concat([...this.pending, bytes]);
        this.pending = [];
        joined = true;
      }
      const keep = this.line(bytes);
      if (this.scanner.findingCount > 0) {
        cb(new UnsafeSqlError(this.scanner.findings, this.scanner.findingCount));
        return;
      }
      if (!keep) {
        // The line's start may have been passed on already with an earlier chunk only when
        // it was split across chunks: those bytes were held back in `pending`, never pushed.
        if (!joined && from > keepFrom) this.push(chunk.subarray(keepFrom, from));
        keepFrom = nl + 1;
      } else if (joined) {
        // The first part of this line was held back: pass the whole line on now.
        this.push(bytes);
        this.push(Buffer.from("\n"));
        keepFrom = nl + 1;
      }
      from = nl + 1;
    }
    if (from > keepFrom) this.push(chunk.subarray(keepFrom, from));
    if (from < chunk.length) this.pending.push(Buffer.from(chunk.subarray(from)));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.start();
    if (this.pending.length > 0) {
      const bytes = Buffer.concat(this.pending);
      this.pending = [];
      const keep = this.line(bytes);
      if (this.scanner.findingCount > 0) {
        cb(new UnsafeSqlError(this.scanner.findings, this.scanner.findingCount));
        return;
      }
      if (keep) this.push(bytes);
    }
    this.scanner.finish();
    if (this.scanner.findingCount > 0) {
      cb(new UnsafeSqlError(this.scanner.findings, this.scanner.findingCount));
      return;
    }
    cb();
  }
}
