import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { pgbackrestConfigProblem } from "@/lib/pitr/config-file";
import { saveWalArchiveCommand } from "@/lib/pitr/commands";
import { pgbackrestArgv, type ArchiveAccess } from "@/lib/pitr/pgbackrest";

// The pgBackRest config file is a path an admin types, and pgBackRest reads it as the console's
// (or the postgres) user: a config file can name programs pgBackRest runs (cmd-ssh,
// repo1-host-cmd) or settings it writes into the recovered cluster (recovery-option). A typed
// path must never choose what is read or run: only a plain file the machine's owner placed in
// /etc/pgbackrest (or a folder listed in LIFEBOAT_PGBACKREST_CONFIG_DIRS), without such options.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));
const admin: SessionUser = { id: "conf-admin", email: "admin@example.test", name: "Admin", role: "admin" };

const PLAIN = `[global]
repo1-path=/var/lib/pgbackrest
repo1-retention-full=2
log-path=/var/log/pgbackrest
log-level-file=info

[main]
pg1-path=/var/lib/postgresql/15/main
`;

let root = "";
let allowed = "";
const write = (name: string, text: string) => {
  const file = path.join(allowed, name);
  fs.writeFileSync(file, text);
  return file;
};

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-pgbr-conf-"));
  allowed = path.join(root, "allowed");
  fs.mkdirSync(allowed);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("the pgBackRest config file a WAL archive names", () => {
  test("a relative path, a path that climbs with '..', or a folder nobody listed is refused", () => {
    const good = write("ok.conf", PLAIN);
    expect(pgbackrestConfigProblem("pgbackrest.conf", [allowed])).toMatch(/absolute path/);
    expect(pgbackrestConfigProblem("./ok.conf", [allowed])).toMatch(/absolute path/);
    expect(pgbackrestConfigProblem(`${allowed}/../allowed/ok.conf`, [allowed])).toMatch(/absolute path/);
    expect(pgbackrestConfigProblem("/etc/pgbackrest/../shadow", [])).toMatch(/absolute path/);
    expect(pgbackrestConfigProblem("/etc/shadow", [])).toMatch(
      /not a file Lifeboat may give pgBackRest.*\/etc\/pgbackrest.*LIFEBOAT_PGBACKREST_CONFIG_DIRS/,
    );
    // Listed by the owner: fine; the same file with nothing listed: refused.
    expect(pgbackrestConfigProblem(good, [allowed])).toBeNull();
    expect(pgbackrestConfigProblem(good, [])).toMatch(/LIFEBOAT_PGBACKREST_CONFIG_DIRS/);
    // The listed folder itself is not a file, and a sibling with the same prefix is not inside it.
    fs.writeFileSync(`${allowed}-evil.conf`, PLAIN);
    expect(pgbackrestConfigProblem(`${allowed}-evil.conf`, [allowed])).toMatch(/LIFEBOAT_PGBACKREST_CONFIG_DIRS/);
  });

  test("a symbolic link (to /etc/shadow, or a folder on the way) is refused", () => {
    const link = path.join(allowed, "shadow.conf");
    fs.symlinkSync("/etc/shadow", link);
    expect(pgbackrestConfigProblem(link, [allowed])).toMatch(/symbolic link/);
    fs.mkdirSync(path.join(root, "elsewhere"));
    fs.writeFileSync(path.join(root, "elsewhere", "x.conf"), PLAIN);
    fs.symlinkSync(path.join(root, "elsewhere"), path.join(allowed, "via"));
    expect(pgbackrestConfigProblem(path.join(allowed, "via", "x.conf"), [allowed])).toMatch(/symbolic link/);
  });

  test("a folder or a device is not a config file; a missing file says so", () => {
    fs.mkdirSync(path.join(allowed, "conf.d"));
    expect(pgbackrestConfigProblem(path.join(allowed, "conf.d"), [allowed])).toMatch(/not a regular file/);
    expect(pgbackrestConfigProblem("/dev/null", ["/dev"])).toMatch(/not a regular file/);
    expect(pgbackrestConfigProblem(path.join(allowed, "none.conf"), [allowed])).toMatch(/does not exist/);
  });

  test("a config file that makes pgBackRest run a program, or write outside the recovery folder, is refused", () => {
    const cases: [string, RegExp][] = [
      [`${PLAIN}\n[global]\nrepo1-host-cmd=/bin/sh\n`, /repo1-host-cmd/],
      [`[global]\n  cmd-ssh = /tmp/evil\n`, /cmd-ssh/],
      [`[main:restore]\nrecovery-option=restore_command=/bin/sh -c id\n`, /recovery-option/],
      [`[main]\npg2-host-cmd=/tmp/evil\n`, /pg2-host-cmd/],
      [`[global]\ncmd=/tmp/evil-pgbackrest\n`, /\bcmd\b/],
      [`[main]\nlink-map=pg_wal=/var/lib/postgresql/15/main/pg_wal\n`, /link-map/],
      [`[global]\nbackup-cmd=/tmp/evil\n`, /backup-cmd/],
    ];
    for (const [i, [text, name]] of cases.entries()) {
      const file = write(`evil-${i}.conf`, text);
      const problem = pgbackrestConfigProblem(file, [allowed]);
      expect(problem).toMatch(name);
      expect(problem).toMatch(/run programs|outside/);
    }
  });

  test("a plain config file in /etc/pgbackrest or a listed folder is accepted", () => {
    expect(pgbackrestConfigProblem(write("plain.conf", PLAIN), [allowed])).toBeNull();
    expect(
      pgbackrestConfigProblem(write("spaced.conf", "# comment\n[global]\n repo1-path = /x \n"), [allowed]),
    ).toBeNull();
  });

  test("checked again before every use: a file changed after it was saved is refused before pgBackRest reads it", () => {
    const file = write("changed.conf", PLAIN);
    const archive: ArchiveAccess = {
      id: "conf-archive",
      stanza: "main",
      configPath: file,
      repoType: "posix",
      repoPath: "/var/lib/pgbackrest",
      repoOptions: "{}",
      repoSecretEnc: null,
    };
    expect(pgbackrestArgv(archive, "info", []).argv).toContain(`--config=${file}`);
    fs.appendFileSync(file, "[global]\nrepo1-host-cmd=/bin/sh\n");
    expect(() => pgbackrestArgv(archive, "info", [])).toThrow(/repo1-host-cmd/);
    expect(() => pgbackrestArgv({ ...archive, configPath: "/etc/shadow" }, "info", [])).toThrow(
      /LIFEBOAT_PGBACKREST_CONFIG_DIRS/,
    );
  });
});

test("saving refuses such a path with a form error that says what is allowed, and saves nothing", async () => {
  const database = await db.database.create({
    data: { name: `conf-${path.basename(root)}`, host: "127.0.0.1", port: 5432, dbName: "x", user: "u" },
  });
  const evil = write("save-evil.conf", "[global]\ncmd-ssh=/tmp/evil\n");
  session.user = admin;
  try {
    for (const configPath of ["/etc/shadow", "relative.conf", evil, allowed]) {
      const r = await saveWalArchiveCommand({
        databaseId: database.id,
        stanza: "main",
        repoType: "posix",
        repoPath: "/var/lib/pgbackrest",
        configPath,
      });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      const issue = r.issues?.find((i) => i.path === "configPath");
      expect(issue?.message).toMatch(/\/etc\/pgbackrest|absolute path|run programs|not a regular file/);
    }
  } finally {
    session.user = null;
  }
  expect(await db.walArchive.count({ where: { databaseId: database.id } })).toBe(0);
});
