import { describe, expect, test } from "vitest";
import {
  canonicalTargetTime,
  describeRecoveryTarget,
  pgbackrestTargetArgs,
  recoveryTargetSchema,
  type RecoveryTarget,
} from "./recovery-target";

// These values reach pgBackRest's argv and, unescaped, a quoted setting in the recovered
// cluster's postgresql.auto.conf: anything that could close the quote or start a line is refused.

describe("hostile targets are refused", () => {
  test.each([
    ["a quote ends the setting early", { kind: "name", name: "before'; restore_command='touch /tmp/x" }],
    ["a line break starts a new setting", { kind: "name", name: "before\nrestore_command = 'x'" }],
    ["a name longer than PostgreSQL's 63 bytes", { kind: "name", name: "n".repeat(64) }],
    ["a name starting with a dash reads as an option", { kind: "name", name: "--type=immediate" }],
    ["an empty name", { kind: "name", name: "" }],
    ["an LSN with a quote", { kind: "lsn", lsn: "0/1'" }],
    ["an LSN with a second setting", { kind: "lsn", lsn: "0/16B3748\nrecovery_target_action='shutdown'" }],
    ["an LSN without its slash", { kind: "lsn", lsn: "16B3748" }],
    ["an LSN part too long", { kind: "lsn", lsn: "0/123456789" }],
    ["a negative xid", { kind: "xid", xid: "-5" }],
    ["an xid with letters", { kind: "xid", xid: "12a" }],
    ["an xid of zero", { kind: "xid", xid: "0" }],
    ["a time without a zone (whose time would it be?)", { kind: "time", at: "2026-12-01 14:07:00" }],
    ["a time with a quote", { kind: "time", at: "2026-12-01 14:07:00+00'" }],
    ["a time with words after it", { kind: "time", at: "2026-12-01T14:07:00Z now" }],
    ["the 31st of February", { kind: "time", at: "2026-02-31T14:07:00Z" }],
    ["hour 24", { kind: "time", at: "2026-12-01T24:00:00Z" }],
    ["a relative time", { kind: "time", at: "now() - interval '1 hour'" }],
    ["an unknown kind", { kind: "timeline", value: "2" }],
  ])("%s", (_, value) => {
    expect(recoveryTargetSchema.safeParse(value).success).toBe(false);
    expect(() => pgbackrestTargetArgs(value as RecoveryTarget)).toThrow();
  });
});

describe("valid targets become pgBackRest's options", () => {
  test.each<[RecoveryTarget, string[]]>([
    [{ kind: "time", at: "2026-12-01T14:07:00Z" }, ["--type=time", "--target=2026-12-01 14:07:00.000000+00"]],
    [{ kind: "time", at: "2026-12-01 15:07:00.25+01:00" }, ["--type=time", "--target=2026-12-01 14:07:00.250000+00"]],
    [
      { kind: "time", at: "2026-12-01T09:07:00.123456-0500" },
      ["--type=time", "--target=2026-12-01 14:07:00.123456+00"],
    ],
    [{ kind: "time", at: "2026-12-02T00:07+10" }, ["--type=time", "--target=2026-12-01 14:07:00.000000+00"]],
    [{ kind: "lsn", lsn: "0/16b3748" }, ["--type=lsn", "--target=0/16B3748"]],
    [{ kind: "xid", xid: "742" }, ["--type=xid", "--target=742"]],
    [{ kind: "name", name: "before-migration_v42.1" }, ["--type=name", "--target=before-migration_v42.1"]],
    [{ kind: "immediate" }, ["--type=immediate"]],
  ])("%j", (target, args) => {
    expect(pgbackrestTargetArgs(target)).toEqual(args);
  });

  test("a time keeps its microseconds and moves to UTC", () => {
    expect(canonicalTargetTime("2026-12-31T23:59:59.999999-01:00")).toBe("2027-01-01 00:59:59.999999+00");
  });

  test("descriptions name the target in words", () => {
    expect(describeRecoveryTarget({ kind: "time", at: "2026-12-01T15:07:00+01:00" })).toBe(
      "the time 2026-12-01 14:07:00+00 (UTC)",
    );
    expect(describeRecoveryTarget({ kind: "immediate" })).toBe("the end of the base backup");
    expect(describeRecoveryTarget({ kind: "name", name: "before-v42" })).toBe("the restore point before-v42");
  });
});
