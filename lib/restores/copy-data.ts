// Most of a dump's script is COPY data, of which a scanner needs nothing but where it ends: the
// line that is exactly `\.` (or `\.` and a carriage return). Handing every data line to
// JavaScript one by one cost more than pg_restore's decompression of the same bytes, so the
// data is skipped here with native searches: candidates for the end marker are found with
// indexOf, and the lines in between are only counted.

const NL = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const MARKER = Buffer.from("\\.", "latin1");

export type CopySkip = {
  /** Where to go on: the start of the end marker's line (found), or of the first incomplete line. */
  next: number;
  /** Complete data lines between `from` and `next` (0 when not counted). */
  lines: number;
  /** True when `next` starts the end marker's line, complete with its newline in `chunk`. */
  found: boolean;
};

/** Newlines in chunk[from, to). */
export function countLines(chunk: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = chunk.indexOf(NL, from); i !== -1 && i < to; i = chunk.indexOf(NL, i + 1)) n++;
  return n;
}

/**
 * Skips COPY data lines in `chunk` from `from`, which must be the start of a line inside a COPY
 * block. Stops at the end marker's line (not consumed: the caller reads it as a line, which ends
 * the block) or, when the chunk has none, at the start of its last incomplete line (which the
 * caller keeps until the next chunk completes it, exactly as it keeps any split line).
 * `count`: whether to count the lines skipped (a scanner that reports line numbers needs them).
 */
export function skipCopyData(chunk: Buffer, from: number, count = true): CopySkip {
  const lines = (to: number) => (count ? countLines(chunk, from, to) : 0);
  let at = from;
  for (;;) {
    const q = chunk.indexOf(MARKER, at);
    if (q === -1) break;
    if (q === from || chunk[q - 1] === NL) {
      const after = q + 2;
      if (after >= chunk.length || (chunk[after] === CR && after + 1 >= chunk.length)) {
        // A line starting with `\.` whose end is in the next chunk: decided once it is whole.
        return { next: q, lines: lines(q), found: false };
      }
      if (chunk[after] === NL || (chunk[after] === CR && chunk[after + 1] === NL))
        return { next: q, lines: lines(q), found: true };
    }
    at = q + 1;
  }
  const lastNl = chunk.lastIndexOf(NL);
  const next = lastNl < from ? from : lastNl + 1;
  return { next, lines: lines(next), found: false };
}

/** Whether a whole line (without its "\n") is COPY's end marker. */
export function isCopyEnd(line: Buffer): boolean {
  return line[0] === BACKSLASH && line[1] === DOT && (line.length === 2 || (line.length === 3 && line[2] === CR));
}
