import { createHash } from "node:crypto";

// Names of the databases a restore creates next to the target, all derived from the target's
// name and the plan's timestamp so that a resumed run finds the same ones:
//   <db>_lifeboat_<YYYYMMDDHHMMSS>   the scratch database the backup is restored into
//   <db>_before_<YYYYMMDDHHMMSS>     the old target, kept after the switch-over until dropped
// PostgreSQL truncates identifiers longer than 63 bytes (NAMEDATALEN - 1) silently, which
// could make two names collide: a long <db> is cut (on a character boundary) and a short hash
// of the full name keeps the result unique.

export const MAX_IDENTIFIER_BYTES = 63;

export const SCRATCH_NAME_PATTERN = /^.+_lifeboat_\d{14}$/s;
export const OLD_COPY_NAME_PATTERN = /^.+_before_\d{14}$/s;

/** "20250101020304" (UTC) for the plan's `now`. */
export function restoreTimestamp(now: Date): string {
  if (Number.isNaN(now.getTime())) throw new Error("not a valid date");
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    p(now.getUTCFullYear(), 4) +
    p(now.getUTCMonth() + 1) +
    p(now.getUTCDate()) +
    p(now.getUTCHours()) +
    p(now.getUTCMinutes()) +
    p(now.getUTCSeconds())
  );
}

/** The longest prefix of `s` (whole characters) that fits in `maxBytes` of UTF-8. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = "";
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

function derivedName(database: string, marker: "lifeboat" | "before", ts: string): string {
  if (!/^\d{14}$/.test(ts)) throw new Error("the timestamp must be YYYYMMDDHHMMSS");
  if (database === "") throw new Error("a database name is required");
  const suffix = `_${marker}_${ts}`;
  const whole = database + suffix;
  if (Buffer.byteLength(whole) <= MAX_IDENTIFIER_BYTES) return whole;
  const hash = createHash("sha256").update(database).digest("hex").slice(0, 6);
  const room = MAX_IDENTIFIER_BYTES - Buffer.byteLength(suffix) - hash.length - 1;
  return `${truncateUtf8(database, room)}_${hash}${suffix}`;
}

/** `<db>_lifeboat_<ts>`, at most 63 bytes. */
export function scratchDatabaseName(database: string, ts: string): string {
  return derivedName(database, "lifeboat", ts);
}

/** `<db>_before_<ts>`, at most 63 bytes. */
export function oldCopyName(database: string, ts: string): string {
  return derivedName(database, "before", ts);
}
