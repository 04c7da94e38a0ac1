import { z } from "zod";

// The moment a point-in-time recovery stops at. Every value here ends up in pgBackRest's argv and,
// written by pgBackRest without any escaping, inside single quotes in the recovered cluster's
// postgresql.auto.conf (a quote in a restore point's name would end the string and start a new
// setting). So each kind accepts only its own narrow shape, and a time is rewritten into one
// canonical form rather than passed on as typed. Plain TypeScript: the wizard validates with it too.

export const RECOVERY_TARGET_KINDS = ["time", "lsn", "xid", "name", "immediate"] as const;
export type RecoveryTargetKind = (typeof RECOVERY_TARGET_KINDS)[number];

/** ISO 8601 with a date, a time and a zone: 2026-12-01T14:07:00Z, 2026-12-01 14:07:00.25+01:00. */
const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** PostgreSQL's restore point names are at most 63 bytes; these characters need no quoting anywhere. */
export const RESTORE_POINT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/;
const LSN_PATTERN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;
const XID_PATTERN = /^[1-9][0-9]{0,19}$/;

/** The instant of an ISO 8601 time with a zone, in milliseconds, or null when it is not one. */
export function parseTargetTime(text: string): { ms: number; micros: string } | null {
  const m = TIME_PATTERN.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec = "00", frac = "", zone = "Z"] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)
    return null;
  // "+01", "+0100" and "+01:00" all mean "+01:00".
  const digits = zone.replace(":", "");
  const zoneText = zone === "Z" ? "Z" : `${digits.slice(0, 3)}:${digits.slice(3) || "00"}`;
  if (zoneText !== "Z" && (Number(zoneText.slice(1, 3)) > 15 || Number(zoneText.slice(4, 6)) > 59)) return null;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${(frac + "000").slice(0, 3)}${zoneText}`);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 31 February over into March: the calendar date must survive the round trip.
  const local = new Date(Date.UTC(Number(y), month - 1, day));
  if (local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return null;
  return { ms, micros: frac.padEnd(6, "0") };
}

/** "2026-12-01 13:07:00.250000+00": the form handed to pgBackRest and PostgreSQL (UTC, microseconds). */
export function canonicalTargetTime(text: string): string {
  const t = parseTargetTime(text);
  if (!t) throw new Error(`not an ISO 8601 time with a zone: ${text.slice(0, 40)}`);
  const iso = new Date(t.ms).toISOString(); // 2026-12-01T13:07:00.250Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${t.micros}+00`;
}

export const recoveryTargetSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("time"),
    at: z
      .string()
      .trim()
      .max(40)
      .refine((v) => parseTargetTime(v) !== null, {
        message: "must be a date and time with its zone, e.g. 2026-12-01T14:07:00Z or 2026-12-01 15:07:00+01:00",
      }),
  }),
  z.object({
    kind: z.literal("lsn"),
    lsn: z
      .string()
      .trim()
      .regex(LSN_PATTERN, { message: "must be a WAL position like 0/16B3748 (two hexadecimal numbers and a slash)" }),
  }),
  z.object({
    kind: z.literal("xid"),
    xid: z.string().trim().regex(XID_PATTERN, { message: "must be a transaction id: a whole number, e.g. 742" }),
  }),
  z.object({
    kind: z.literal("name"),
    name: z.string().regex(RESTORE_POINT_NAME_PATTERN, {
      message:
        "must be a restore point's name: up to 63 letters, digits, '_', '.', ':' or '-', starting with a letter or digit",
    }),
  }),
  z.object({ kind: z.literal("immediate") }),
]);

export type RecoveryTarget =
  | { kind: "time"; at: string /* ISO 8601 with zone */ }
  | { kind: "lsn"; lsn: string }
  | { kind: "xid"; xid: string }
  | { kind: "name"; name: string }
  | { kind: "immediate" /* end of the base backup */ };

// The schema and the type must describe the same values.
const _sameShape: z.ZodType<RecoveryTarget, RecoveryTarget> = recoveryTargetSchema;
void _sameShape;

/** pgBackRest's `--type` and `--target` for a (validated) target; immediate has no target. */
export function pgbackrestTargetArgs(target: RecoveryTarget): string[] {
  const t = recoveryTargetSchema.parse(target);
  switch (t.kind) {
    case "time":
      return ["--type=time", `--target=${canonicalTargetTime(t.at)}`];
    case "lsn":
      return ["--type=lsn", `--target=${t.lsn.toUpperCase()}`];
    case "xid":
      return ["--type=xid", `--target=${t.xid}`];
    case "name":
      return ["--type=name", `--target=${t.name}`];
    case "immediate":
      return ["--type=immediate"];
  }
}

/** The target as people read it: "time 2026-12-01 13:07:00.000000+00 (UTC)", "restore point before-v42". */
export function describeRecoveryTarget(target: RecoveryTarget): string {
  switch (target.kind) {
    case "time": {
      const t = parseTargetTime(target.at);
      return t
        ? `the time ${canonicalTargetTime(target.at).replace(/\.000000\+00$/, "+00")} (UTC)`
        : `the time ${target.at}`;
    }
    case "lsn":
      return `the WAL position ${target.lsn.toUpperCase()}`;
    case "xid":
      return `transaction ${target.xid}`;
    case "name":
      return `the restore point ${target.name}`;
    case "immediate":
      return "the end of the base backup";
  }
}
