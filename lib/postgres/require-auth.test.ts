import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, test } from "vitest";
import { clientMajorVersion, clientSupportsRequireAuth, pgEnv } from "./connection";

// require_auth=scram-sha-256 (libpq 16 and later) keeps the password from ever going out in clear
// text or as MD5. An older libpq ignores the variable, so it is set only where it holds, after
// reading the client tools' version.

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A folder whose `psql --version` prints `line` (a stand-in for other client tools). */
function fakeTools(line: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-fake-psql-"));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "psql"), `#!/bin/sh\necho '${line}'\n`, { mode: 0o755 });
  return dir;
}

const conn = { host: "h", port: 5432, user: "u", database: "d", password: "pw" };

describe("require_auth follows the client tools' version", () => {
  test.each([
    ["psql (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)", 15],
    ["psql (PostgreSQL) 16.4", 16],
    ["psql (PostgreSQL) 17devel", 17],
    ["psql (PostgreSQL) 9.6.24", 9],
    ["not psql at all", null],
  ])("%s → major %s", (out, major) => {
    expect(clientMajorVersion(out)).toBe(major);
  });

  test("the tools installed here: their own version decides", async () => {
    const { stdout } = await execa("psql", ["--version"]);
    const major = clientMajorVersion(stdout);
    expect(major).not.toBeNull();
    expect(await clientSupportsRequireAuth()).toBe((major ?? 0) >= 16);
    const { env, cleanup } = await pgEnv(conn);
    await cleanup();
    expect(env.PGREQUIREAUTH).toBe((major ?? 0) >= 16 ? "scram-sha-256" : undefined);
  });

  test("libpq 16 tools get PGREQUIREAUTH=scram-sha-256 when there is a password", async () => {
    const binDir = fakeTools("psql (PostgreSQL) 16.4");
    expect(await clientSupportsRequireAuth(binDir)).toBe(true);
    const withPassword = await pgEnv(conn, { binDir });
    await withPassword.cleanup();
    expect(withPassword.env.PGREQUIREAUTH).toBe("scram-sha-256");
    // Without a password the server's own method (trust, peer, certificate) must still work.
    const without = await pgEnv({ ...conn, password: "" }, { binDir });
    await without.cleanup();
    expect(without.env.PGREQUIREAUTH).toBeUndefined();
  });

  test("libpq 15 tools do not get it", async () => {
    const binDir = fakeTools("psql (PostgreSQL) 15.14");
    expect(await clientSupportsRequireAuth(binDir)).toBe(false);
    const { env, cleanup } = await pgEnv(conn, { binDir });
    await cleanup();
    expect(env.PGREQUIREAUTH).toBeUndefined();
  });

  test("tools that cannot be run are not taken as supporting it", async () => {
    expect(await clientSupportsRequireAuth("/nonexistent-lifeboat")).toBe(false);
  });
});
