import { expect, test } from "vitest";
import { EnvError, parseEnv } from "./env";

const good = {
  NEXTAUTH_SECRET: "x".repeat(32),
  LIFEBOAT_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(source);
    return [];
  } catch (e) {
    if (e instanceof EnvError) return e.problems;
    throw e;
  }
}

test("defaults the database to a SQLite file under ./data", () => {
  expect(parseEnv(good).LIFEBOAT_DATABASE_URL).toBe("file:./data/lifeboat.db");
});

test.each([
  [{ NEXTAUTH_SECRET: undefined }, "NEXTAUTH_SECRET"],
  [{ NEXTAUTH_SECRET: "short" }, "NEXTAUTH_SECRET"],
  [{ LIFEBOAT_ENCRYPTION_KEY: "bm90IDMyIGJ5dGVz" }, "LIFEBOAT_ENCRYPTION_KEY"],
  [{ LIFEBOAT_DATABASE_URL: "postgres://x" }, "LIFEBOAT_DATABASE_URL"],
  [{ NEXTAUTH_URL: "not a url" }, "NEXTAUTH_URL"],
  [{ OIDC_ISSUER: "https://id.example.test" }, "OIDC_ISSUER"],
  [{ LIFEBOAT_ADMIN_EMAIL: "a@b.test" }, "LIFEBOAT_ADMIN_EMAIL"],
  [{ LIFEBOAT_ADMIN_EMAIL: "a@b.test", LIFEBOAT_ADMIN_PASSWORD: "short" }, "LIFEBOAT_ADMIN_PASSWORD"],
  [{ OIDC_DEFAULT_ROLE: "root" }, "OIDC_DEFAULT_ROLE"],
  [{ OIDC_ALLOWED_DOMAINS: "example.org, @evil" }, "OIDC_ALLOWED_DOMAINS"],
])("a bad value is reported by name: %j", (override, name) => {
  const found = problems({ ...good, ...override });
  expect(found.some((p) => p.startsWith(name))).toBe(true);
});

test("the error message names every problem at once", () => {
  const found = problems({});
  expect(found.join("\n")).toMatch(
    /NEXTAUTH_SECRET[\s\S]*LIFEBOAT_ENCRYPTION_KEY|LIFEBOAT_ENCRYPTION_KEY[\s\S]*NEXTAUTH_SECRET/,
  );
});

test("empty optional values count as unset", () => {
  expect(parseEnv({ ...good, OIDC_ISSUER: "", LIFEBOAT_ADMIN_EMAIL: "" }).OIDC_ISSUER).toBeUndefined();
});

test("OIDC_ALLOWED_DOMAINS is a lower-cased list; empty allows any domain", () => {
  expect(parseEnv({ ...good, OIDC_ALLOWED_DOMAINS: " Example.org , example.com ," }).OIDC_ALLOWED_DOMAINS).toEqual([
    "example.org",
    "example.com",
  ]);
  expect(parseEnv(good).OIDC_ALLOWED_DOMAINS).toEqual([]);
});

test("LIFEBOAT_RECOVERY_DIR is an absolute path of plain characters (it reaches pg_ctl through a shell)", () => {
  expect(parseEnv(good).LIFEBOAT_RECOVERY_DIR).toBeUndefined();
  expect(parseEnv({ ...good, LIFEBOAT_RECOVERY_DIR: "/var/lib/lifeboat/recovery" }).LIFEBOAT_RECOVERY_DIR).toBe(
    "/var/lib/lifeboat/recovery",
  );
  for (const bad of ["relative/dir", "/tmp/a b", "/tmp/$(id)", "/tmp/a;b", "/tmp/a'b", `/${"x".repeat(130)}`]) {
    expect(problems({ ...good, LIFEBOAT_RECOVERY_DIR: bad }).join()).toMatch(/LIFEBOAT_RECOVERY_DIR/);
  }
});
