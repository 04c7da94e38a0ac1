import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { execa } from "execa";

// Real backups for the e2e tests: the shared fixture loaded into the test PostgreSQL,
// dumped once per format with pg_dump. The fixture lives in tests/fixtures/.

export function testPg() {
  const host = process.env.TEST_PG_HOST;
  const port = process.env.TEST_PG_PORT;
  const user = process.env.TEST_PG_USER;
  const password = process.env.TEST_PG_PASSWORD;
  if (!host || !port || !user || !password)
    throw new Error("TEST_PG_* are unset: run through npm run test:all (scripts/services.sh)");
  const env = { PGHOST: host, PGPORT: port, PGUSER: user, PGPASSWORD: password, PGCONNECT_TIMEOUT: "5" };
  return { host, port: Number(port), user, password, env };
}

export async function fixtureDumps(dbName: string): Promise<{ plainGz: Buffer; custom: Buffer }> {
  const pg = testPg();
  await execa("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", `DROP DATABASE IF EXISTS "${dbName}"`], {
    env: pg.env,
  });
  await execa("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", `CREATE DATABASE "${dbName}"`], {
    env: pg.env,
  });
  const fixture = path.resolve(__dirname, "../tests/fixtures/amani.sql");
  await execa("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "scale=1", "-d", dbName, "-f", fixture], {
    env: pg.env,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-e2e-dump-"));
  try {
    await execa("pg_dump", ["--format=custom", `--file=${dir}/a.dump`, `--dbname=${dbName}`], { env: pg.env });
    await execa("pg_dump", ["--format=plain", `--file=${dir}/a.sql`, `--dbname=${dbName}`], { env: pg.env });
    return { custom: fs.readFileSync(`${dir}/a.dump`), plainGz: zlib.gzipSync(fs.readFileSync(`${dir}/a.sql`)) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
