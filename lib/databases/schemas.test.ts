import { describe, expect, test } from "vitest";
import { saveDatabaseSchema } from "./schemas";

const base = { name: "x", environment: "test", host: "db", dbName: "x", user: "u", sslmode: "verify-full" } as const;

// The migration head is a table and column Lifeboat quotes; names that are not plain text are
// refused at save (and again before use, lib/postgres/head-query.ts).
describe("saveDatabaseSchema: migration head", () => {
  test("a backslash in a name is refused at save, on its field", () => {
    const r = saveDatabaseSchema.safeParse({
      ...base,
      migrationHeadKind: "custom",
      migrationHeadTable: "\\! id > /tmp/x",
      migrationHeadColumn: "v",
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["migrationHeadTable"]);
    expect(r.error?.issues[0]?.message).toMatch(/backslash/);
  });

  test("another table needs its table and column", () => {
    const r = saveDatabaseSchema.safeParse({ ...base, migrationHeadKind: "custom" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path[0])).toEqual(["migrationHeadTable", "migrationHeadColumn"]);
  });

  test("nothing chosen is alembic; empty names are null", () => {
    const r = saveDatabaseSchema.parse({ ...base, migrationHeadSchema: " " });
    expect(r.migrationHeadKind).toBe("alembic");
    expect(r.migrationHeadSchema).toBeNull();
  });

  test("the old free-text query field is not part of the form any more", () => {
    const r = saveDatabaseSchema.parse({ ...base, migrationHeadQuery: "\\! id" });
    expect(r).not.toHaveProperty("migrationHeadQuery");
  });
});

describe("saveDatabaseSchema: TLS", () => {
  test("the TLS mode is a choice: no silent default", () => {
    const r = saveDatabaseSchema.safeParse({ ...base, sslmode: undefined });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["sslmode"]);
    expect(r.error?.issues[0]?.message).toMatch(/Choose the TLS mode/);
  });

  test.each([
    ["not PEM", "hello", /PEM/],
    [
      "a private key",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----",
      /private key/,
    ],
  ])("a CA certificate that is %s is refused", (_name, pem, reason) => {
    const r = saveDatabaseSchema.safeParse({ ...base, sslRootCert: pem });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["sslRootCert"]);
    expect(r.error?.issues[0]?.message).toMatch(reason);
  });
});
