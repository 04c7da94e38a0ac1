import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, test } from "vitest";
import { AclCollector, aclLineSink } from "./acl-facts";
import { countLines, skipCopyData } from "./copy-data";
import { PsqlScriptGuard, PsqlScriptScanner, UnsafeSqlError } from "./sql-safety";

// The scanners skip COPY data with native searches instead of reading it line by line. These
// tests hold the fast path to the line-by-line reading (PsqlScriptScanner.push and
// AclCollector.push on every line): same line numbers, blocks, statements, findings, roles and
// bytes passed on, whatever the chunks, with data lines built to look like the end marker.

/** Data lines that are not the end marker but come close. */
const NEAR_MARKERS = ["\\.x", "a\\.", "\\\\.", " \\.", "\\.\\.", "\\", ".", "\\.\r\r", "\\.\rx", "", "\r"];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function script(seed: number, opts: { evilAfter?: boolean } = {}): string {
  const r = rng(seed);
  const lines: string[] = ["SET client_encoding = 'UTF8';", "SET standard_conforming_strings = on;"];
  const blocks = 1 + Math.floor(r() * 4);
  for (let b = 0; b < blocks; b++) {
    lines.push(`CREATE TABLE public.t${b} (id integer, note text);`);
    lines.push("GRANT SELECT ON TABLE public.t" + b + " TO reader_" + b + ";");
    lines.push(`COPY public.t${b} (id, note) FROM stdin;`);
    const rows = Math.floor(r() * 40);
    for (let i = 0; i < rows; i++) {
      const near = r() < 0.3 ? NEAR_MARKERS[Math.floor(r() * NEAR_MARKERS.length)] : `${i}\tnote ${i} ünï`;
      lines.push(near ?? "");
    }
    lines.push(r() < 0.3 ? "\\.\r" : "\\.");
    lines.push("");
  }
  if (opts.evilAfter) lines.push("COPY public.t0 FROM PROGRAM 'id';");
  lines.push("ALTER TABLE public.t0 OWNER TO owner_role;");
  return lines.join("\n") + "\n";
}

function chunksOf(bytes: Buffer, seed: number): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(r() * (r() < 0.5 ? 8 : 300));
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

function lineByLine(text: string) {
  const scanner = new PsqlScriptScanner();
  const acl = new AclCollector();
  const bytes = Buffer.from(text, "utf8");
  const lines = bytes.toString("latin1").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const l of lines) {
    scanner.push(l);
    acl.push(acl.inCopy ? l : Buffer.from(l, "latin1").toString("utf8"));
  }
  scanner.finish();
  return { scanner, acl: acl.result() };
}

async function guarded(chunks: Buffer[]) {
  const guard = new PsqlScriptGuard();
  const out: Buffer[] = [];
  let error: unknown = null;
  await pipeline([
    Readable.from(chunks),
    guard,
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  ]).catch((e: unknown) => {
    error = e;
  });
  return { scanner: guard.scanner, out: Buffer.concat(out), error };
}

function aclFast(chunks: Buffer[]) {
  const c = new AclCollector();
  const sink = aclLineSink(c);
  for (const ch of chunks) sink.write(ch);
  sink.end();
  return c.result();
}

describe("skipping COPY data", () => {
  test("stops at the end marker's line, not at lines that only look like it", () => {
    const data = Buffer.from("1\ta\n\\.x\na\\.\n\\\\.\n\\.\nSELECT 1;\n", "latin1");
    const s = skipCopyData(data, 0);
    expect(s).toEqual({ next: data.indexOf("\\.\nSELECT"), lines: 4, found: true });
    expect(skipCopyData(Buffer.from("\\.\r\nX", "latin1"), 0)).toEqual({ next: 0, lines: 0, found: true });
  });

  test("a chunk without the marker stops at its last incomplete line, which may be the marker's start", () => {
    expect(skipCopyData(Buffer.from("1\n2\n3", "latin1"), 0)).toEqual({ next: 4, lines: 2, found: false });
    expect(skipCopyData(Buffer.from("1\n\\.", "latin1"), 0)).toEqual({ next: 2, lines: 1, found: false });
    expect(skipCopyData(Buffer.from("1\n\\.\r", "latin1"), 0)).toEqual({ next: 2, lines: 1, found: false });
    expect(skipCopyData(Buffer.from("abc", "latin1"), 0)).toEqual({ next: 0, lines: 0, found: false });
    expect(countLines(Buffer.from("a\nb\nc\n", "latin1"), 2, 6)).toBe(2);
  });

  test.each(Array.from({ length: 40 }, (_, i) => i + 1))(
    "the guard and the ACL reader see what reading line by line sees (seed %i)",
    async (seed) => {
      const text = script(seed);
      const bytes = Buffer.from(text, "utf8");
      const ref = lineByLine(text);
      const g = await guarded(chunksOf(bytes, seed * 7));
      expect(g.error).toBeNull();
      expect(g.scanner.lineNo).toBe(ref.scanner.lineNo);
      expect(g.scanner.copyBlocks).toBe(ref.scanner.copyBlocks);
      expect(g.scanner.statements).toBe(ref.scanner.statements);
      expect(g.scanner.inCopy).toBe(false);
      expect(g.out.equals(bytes)).toBe(true);
      expect(aclFast(chunksOf(bytes, seed * 13))).toEqual(ref.acl);
      expect(ref.acl.owners).toEqual(["owner_role"]);
    },
  );

  test.each([3, 11, 29])(
    "a statement after the data is still found, on the line reading line by line names (seed %i)",
    async (seed) => {
      const text = script(seed, { evilAfter: true });
      const ref = lineByLine(text);
      expect(ref.scanner.findingCount).toBeGreaterThan(0);
      const g = await guarded(chunksOf(Buffer.from(text, "utf8"), seed));
      expect(g.error).toBeInstanceOf(UnsafeSqlError);
      expect(g.scanner.findings.map((f) => f.line)).toEqual(ref.scanner.findings.map((f) => f.line));
    },
  );
});
