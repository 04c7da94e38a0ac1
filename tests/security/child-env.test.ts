import { execa } from "execa";
import { expect, test } from "vitest";
import { withPgEnv } from "@/lib/postgres/connection";

// pg_dump, pg_restore and psql run whatever a server, a dump or a setting makes them run in the
// worst case; they must not hold the console's own keys. The child here is started exactly as
// lib/postgres/run.ts starts the tools (the connection's env on top of the console's, extendEnv),
// and prints what it sees.

const conn = { host: "127.0.0.1", port: 5432, user: "lifeboat", database: "amani", password: "pw-in-passfile" };

async function childSees(): Promise<Record<string, string>> {
  return withPgEnv(conn, async (env) => {
    const r = await execa(process.execPath, ["-e", "process.stdout.write(JSON.stringify(process.env))"], {
      env,
      extendEnv: true,
      stdin: "ignore",
    });
    return JSON.parse(r.stdout) as Record<string, string>;
  });
}

test("a client tool's child sees neither the encryption key nor the session secret", async () => {
  const seen = await childSees();
  const text = JSON.stringify(seen);
  for (const secret of ["LIFEBOAT_ENCRYPTION_KEY", "NEXTAUTH_SECRET"]) {
    expect(seen[secret]).toBeUndefined();
  }
  // Not under another name either (vitest.config.mts sets both).
  expect(text).not.toContain(Buffer.alloc(32, 7).toString("base64"));
  expect(text).not.toContain("test-secret-test-secret");
  expect(text).not.toContain("pw-in-passfile");
});

test("the child keeps only PATH, HOME, TMPDIR, LANG, LC_*, TZ and the PG* variables Lifeboat sets", async () => {
  const seen = await childSees();
  const allowed =
    /^(PATH|HOME|TMPDIR|LANG|TZ|LC_(?!ALL$)\w+|PG(HOST|PORT|USER|DATABASE|SSLMODE|CONNECT_TIMEOUT|APPNAME|CLIENTENCODING|PASSFILE))$/;
  // Node itself may add nothing else; anything left over came from the console's environment.
  const extra = Object.keys(seen).filter((k) => !allowed.test(k));
  expect(extra).toEqual([]);
  expect(seen.PATH).toBeTruthy();
  expect(seen.PGHOST).toBe("127.0.0.1");
});

test("every child process lib/ starts is given an environment built for it, never the console's whole one", async () => {
  const { readFileSync, readdirSync } = await import("node:fs");
  const path = await import("node:path");
  const files = readdirSync("lib", { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("test-support"))
    .map((f) => path.join("lib", f));
  const bare: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (!/\bexeca\(/.test(line) || line.trim().startsWith("//") || line.trim().startsWith("*")) return;
      // The call's options follow within a few lines; they must name an env (minimalChildEnv or
      // the PG env built on it).
      if (!/\benv\b/.test(lines.slice(i, i + 20).join("\n"))) bare.push(`${file}:${i + 1}`);
    });
  }
  expect(files.length).toBeGreaterThan(20);
  expect(bare).toEqual([]);
});
