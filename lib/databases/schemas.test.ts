import { describe, expect, test } from "vitest";
import { saveDatabaseSchema } from "./schemas";

// The migration-head query is handed to psql, which runs backslash meta-commands: refused at
// save (and again before use, lib/postgres/head-query.ts).
describe("saveDatabaseSchema: migration head query", () => {
  test("the database form refuses it at save", () => {
    const r = saveDatabaseSchema.safeParse({
      name: "x",
      environment: "test",
      host: "db",
      dbName: "x",
      user: "u",
      migrationHeadQuery: "\\! id > /tmp/x",
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/backslash/);
  });

  test("an empty one is the default", () => {
    const r = saveDatabaseSchema.parse({
      name: "x",
      environment: "test",
      host: "db",
      dbName: "x",
      user: "u",
      migrationHeadQuery: "",
    });
    expect(r.migrationHeadQuery).toBe("select version_num from alembic_version");
  });
});
