import { describe, expect, test } from "vitest";
import { allowedPgBinDir, pgBinDirProblem } from "@/lib/pitr/bin-dir";
import { pgBinDirFor } from "@/lib/pitr/window";
import { saveWalArchiveSchema } from "@/lib/pitr/schemas";

// The bin directory is a setting an admin types, and Lifeboat runs pg_waldump and pg_ctl from
// it (as postgres, or as root for --version). A typed path must never choose which programs run.

describe("the PostgreSQL bin directory of a WAL archive", () => {
  test("Debian's directories of a major version are allowed", () => {
    expect(allowedPgBinDir("/usr/lib/postgresql/15/bin", [])).toBe(true);
    expect(allowedPgBinDir("/usr/lib/postgresql/17/bin/", [])).toBe(true);
  });

  test("a folder anyone could write to is refused, at the form and when it is used", () => {
    for (const dir of [
      "/tmp/evil",
      "/usr/lib/postgresql/15/bin/../../../../tmp",
      "/usr/lib/postgresql/x/bin",
      "/home/me/bin",
    ]) {
      expect(allowedPgBinDir(dir, [])).toBe(false);
      expect(pgBinDirProblem(dir, [])).toMatch(/LIFEBOAT_PG_BIN_DIRS/);
      expect(() => pgBinDirFor({ pgBinDir: dir }, "15")).toThrow(/not one Lifeboat may run programs from/);
    }
    const parsed = saveWalArchiveSchema.safeParse({
      databaseId: "d1",
      stanza: "main",
      repoType: "posix",
      repoPath: "/var/lib/pgbackrest",
      pgBinDir: "/tmp/evil",
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain("pgBinDir");
  });

  test("a folder the machine's owner listed in LIFEBOAT_PG_BIN_DIRS is allowed", () => {
    expect(allowedPgBinDir("/opt/pg16/bin", ["/opt/pg16/bin"])).toBe(true);
    expect(allowedPgBinDir("/opt/pg16/bin/sub", ["/opt/pg16/bin"])).toBe(false);
  });

  test("no setting: the Debian directory of the server's major version", () => {
    expect(pgBinDirFor({ pgBinDir: null }, "15.18")).toBe("/usr/lib/postgresql/15/bin");
  });
});
