import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { executable, newestDebianClient } from "./executable";

// Debian's pg_wrapper (Perl) is skipped for the program it would start itself: the newest
// installed version of the tool. Anything else is started as given.

const root = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-pg-clients-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function install(version: string, tools: string[]) {
  fs.mkdirSync(path.join(root, version, "bin"), { recursive: true });
  for (const t of tools) fs.writeFileSync(path.join(root, version, "bin", t), "", { mode: 0o755 });
}

describe("the client program to start", () => {
  test("the newest version that has the tool, compared as numbers", () => {
    install("9.6", ["psql", "pg_dump"]);
    install("15", ["psql", "pg_dump", "pg_restore"]);
    install("16", ["psql"]);
    fs.mkdirSync(path.join(root, "not-a-version", "bin"), { recursive: true });
    expect(newestDebianClient("psql", root)).toBe(path.join(root, "16", "bin", "psql"));
    expect(newestDebianClient("pg_restore", root)).toBe(path.join(root, "15", "bin", "pg_restore"));
    expect(newestDebianClient("pg_basebackup", root)).toBeNull();
    expect(newestDebianClient("psql", path.join(root, "missing"))).toBeNull();
  });

  test("other programs and paths are started as given", () => {
    expect(executable("pgbackrest")).toBe("pgbackrest");
    expect(executable("/opt/pg/bin/psql")).toBe("/opt/pg/bin/psql");
  });

  test("here: Debian's wrapper in PATH is replaced by the program it would start", () => {
    const wrapped = fs.existsSync("/usr/bin/psql") && fs.realpathSync("/usr/bin/psql").endsWith("/pg_wrapper");
    const psql = executable("psql");
    if (wrapped) {
      expect(psql).toBe(newestDebianClient("psql"));
      expect(psql).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin\/psql$/);
    } else {
      expect(psql).toBe("psql");
    }
  });
});
