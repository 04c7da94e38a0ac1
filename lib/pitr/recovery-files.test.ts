import { describe, expect, test } from "vitest";
import {
  explainRecoveryLog,
  fatalLines,
  instancePaths,
  newInstanceId,
  parsePostmasterPid,
  postgresOptions,
  recoverySettings,
} from "./recovery-files";

// pg_ctl hands -o to /bin/sh: a value with a space, a quote or a `;` would run as a command.
describe("the settings given to pg_ctl", () => {
  test.each([
    ["a space", "/tmp/a b"],
    ["a quote", "/tmp/a'b"],
    ["a command separator", "/tmp/a;touch /tmp/pwned"],
    ["a command substitution", "/tmp/$(id)"],
    ["a backtick", "/tmp/`id`"],
    ["a line break", "/tmp/a\nb"],
  ])("a value with %s is refused", (_, value) => {
    expect(() => postgresOptions([["unix_socket_directories", value]])).toThrow(/would need quoting/);
  });

  test("an instance's settings: its own port, socket, data directory and access rules; no archiving, no replication", () => {
    const p = instancePaths("/var/lib/lifeboat/recovery", "ri0123456789abcdef0123");
    const settings = Object.fromEntries(recoverySettings(p, 54321));
    expect(settings).toMatchObject({
      port: "54321",
      listen_addresses: "127.0.0.1",
      unix_socket_directories: "/var/lib/lifeboat/recovery/ri0123456789abcdef0123/s",
      data_directory: "/var/lib/lifeboat/recovery/ri0123456789abcdef0123/data",
      hba_file: "/var/lib/lifeboat/recovery/ri0123456789abcdef0123/pg_hba.conf",
      external_pid_file: "/var/lib/lifeboat/recovery/ri0123456789abcdef0123/postmaster.external.pid",
      archive_mode: "off",
      primary_conninfo: "",
      synchronous_standby_names: "",
      archive_cleanup_command: "",
      hot_standby: "off",
    });
    expect(postgresOptions(recoverySettings(p, 54321))).toMatch(/^-c port=54321 -c listen_addresses=127\.0\.0\.1 /);
  });

  test("instance ids are the only names a folder gets", () => {
    expect(newInstanceId()).toMatch(/^ri[a-f0-9]{20}$/);
    expect(() => instancePaths("/r", "../../etc")).toThrow(/not a recovery instance id/);
    expect(() => instancePaths("/r", "ri0123456789abcdef012/")).toThrow();
  });
});

describe("reading PostgreSQL", () => {
  test("postmaster.pid: the pid and the state line", () => {
    const text = "4242\n/data\n1796164893\n5433\n/sock\n127.0.0.1\n  5433001  32769\nready   \n";
    expect(parsePostmasterPid(text)).toEqual({ pid: 4242, status: "ready" });
    expect(parsePostmasterPid("4242\n/data\n")).toEqual({ pid: 4242, status: null });
    expect(parsePostmasterPid("garbage")).toBeNull();
  });

  test("a target past the archive: PostgreSQL's own words and Switch WAL now", () => {
    const log = [
      '2026-12-01 22:53:00.141 UTC [15051] LOG:  restored log file "000000010000000000000005" from archive',
      "2026-12-01 22:53:00.200 UTC [15051] FATAL:  recovery ended before configured recovery target was reached",
      "2026-12-01 22:53:00.210 UTC [15048] LOG:  startup process (PID 15051) exited with exit code 1",
    ].join("\n");
    expect(fatalLines(log)).toEqual(["FATAL: recovery ended before configured recovery target was reached"]);
    const f = explainRecoveryLog(log, "the time 2026-12-01 23:00:00+00 (UTC)", "/r/x/postgresql.log");
    expect(f.reason).toBe("FATAL: recovery ended before configured recovery target was reached");
    expect(f.advice).toMatch(/does not reach the time 2026-12-01 23:00:00\+00 \(UTC\).*Switch WAL now/);
  });

  test("an unknown failure points at the log", () => {
    const f = explainRecoveryLog("FATAL:  something new", "x", "/r/x/postgresql.log");
    expect(f).toEqual({
      reason: "FATAL: something new",
      advice: expect.stringContaining("/r/x/postgresql.log") as string,
    });
  });
});
