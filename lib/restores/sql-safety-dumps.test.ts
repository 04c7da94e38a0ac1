import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pgDumpArgs } from "@/lib/postgres/commands";
import { withPgEnv, type PgConnection } from "@/lib/postgres/connection";
import { tableRowCounts } from "@/lib/postgres/run";
import {
  createDatabase,
  createFixtureDatabase,
  dropDatabase,
  runSqlFile,
  uniqueDatabaseName,
} from "@/lib/postgres/test-support";
import { scanPlainDump } from "./files";
import { restorePlain } from "./restore-tools";

// The scanner's refusals must leave pg_dump's output of ordinary databases alone: the amani
// fixture and tests/fixtures/odd.sql (DO blocks in its source, row-level security, large
// objects, mixed-case schemas) are dumped as plain SQL, scanned, and restored in restricted mode.

const ODD_SQL = path.resolve(import.meta.dirname, "../../tests/fixtures/odd.sql");
const TIMEOUT = 120_000;
const toDrop: string[] = [];
let dir = "";
const sources: Record<"amani" | "odd", PgConnection> = {} as Record<"amani" | "odd", PgConnection>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-scan-dumps-"));
  sources.amani = await createFixtureDatabase("scan_amani");
  sources.odd = await createDatabase(uniqueDatabaseName("scan_odd"));
  await runSqlFile(sources.odd, ODD_SQL, { scale: "1" });
  toDrop.push(sources.amani.database, sources.odd.database);
}, TIMEOUT);

afterAll(async () => {
  for (const name of toDrop) await dropDatabase(name);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(["amani", "odd"] as const)("pg_dump's plain output of %s", (name) => {
  test(
    "scans clean and restores under \\restrict with every row",
    async () => {
      const conn = sources[name];
      const file = path.join(dir, `${name}.sql`);
      const [bin, ...args] = pgDumpArgs({ format: "plain", database: conn.database, file });
      await withPgEnv(conn, (env) => execa(bin, args, { env, extendEnv: true, stdin: "ignore" }));
      const scan = await scanPlainDump(file, "plain", () => undefined);
      expect(scan.findings).toEqual([]);
      expect(scan.statements).toBeGreaterThan(10);

      const target = await createDatabase(uniqueDatabaseName(`scan_${name}_copy`));
      toDrop.push(target.database);
      const r = await restorePlain(
        { conn: target, file, format: "plain", restricted: true },
        () => undefined,
        () => undefined,
      );
      expect(r.restricted).toBe(true);
      expect(await tableRowCounts(target)).toEqual(await tableRowCounts(conn));
    },
    TIMEOUT,
  );
});
