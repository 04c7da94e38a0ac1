import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { minimalChildEnv } from "@/lib/env";
import { pgEnv, type PgConnection } from "./connection";
import { PgError } from "./errors";
import { secretDirsOf } from "./private-dir";
import { runPsqlQuery } from "./run";

// A throwaway PostgreSQL 15 with TLS on (a CA made here signs a certificate for "localhost"),
// so verify-full is tried for real: the right CA connects encrypted, and each way it can go
// wrong (no CA, another CA, another host name) says which setting to change.

const PG_BIN = "/usr/lib/postgresql/15/bin";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-tls-"));
const data = path.join(dir, "data");
let port = 0;
let ca = "";
let otherCa = "";

const asRoot = process.getuid?.() === 0;
/** Runs a server-side tool as the postgres user when the tests run as root (initdb refuses root). */
const asPostgres = (file: string, args: string[]) =>
  asRoot
    ? execa("runuser", ["-u", "postgres", "--", file, ...args], { env: minimalChildEnv(), extendEnv: true })
    : execa(file, args, { env: minimalChildEnv(), extendEnv: true });
const openssl = (args: string[]) => execa("openssl", args, { cwd: dir, env: minimalChildEnv(), extendEnv: true });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function makeCa(name: string): Promise<void> {
  await openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`].concat([
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
    ]),
  );
}

beforeAll(async () => {
  await makeCa("lifeboat-test-ca");
  await makeCa("another-ca");
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  fs.writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=DNS:localhost\n");
  await openssl([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "lifeboat-test-ca.crt",
    "-CAkey",
    "lifeboat-test-ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
    "-out",
    "server.crt",
  ]);
  ca = fs.readFileSync(path.join(dir, "lifeboat-test-ca.crt"), "utf8");
  otherCa = fs.readFileSync(path.join(dir, "another-ca.crt"), "utf8");
  fs.chmodSync(dir, 0o755);
  if (asRoot) await execa("chown", ["-R", "postgres:postgres", dir]);
  fs.chmodSync(path.join(dir, "server.key"), 0o600);
  await asPostgres(path.join(PG_BIN, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  fs.appendFileSync(
    path.join(data, "postgresql.conf"),
    `\nssl = on\nssl_cert_file = '${dir}/server.crt'\nssl_key_file = '${dir}/server.key'\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\n`,
  );
  port = await freePort();
  await asPostgres(path.join(PG_BIN, "pg_ctl"), [
    "-D",
    data,
    "-l",
    path.join(dir, "server.log"),
    "-o",
    `-p ${port}`,
    "-w",
    "start",
  ]);
}, 60_000);

afterAll(async () => {
  if (fs.existsSync(path.join(data, "postmaster.pid")))
    await asPostgres(path.join(PG_BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

const conn = (over: Partial<PgConnection>): PgConnection => ({
  host: "localhost",
  port,
  user: "postgres",
  database: "postgres",
  sslmode: "verify-full",
  sslrootcert: ca,
  ...over,
});

async function failure(c: PgConnection): Promise<PgError> {
  const e = await runPsqlQuery(c, "SELECT 1").catch((err: unknown) => err);
  expect(e).toBeInstanceOf(PgError);
  expect((e as PgError).code).toBe("ssl_failed");
  return e as PgError;
}

describe("TLS per database, against a server with TLS", () => {
  test("verify-full with the database's CA certificate connects, encrypted", async () => {
    const rows = await runPsqlQuery(conn({}), "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    expect(rows[0]?.[0]).toBe("true");
  });

  test("verify-full without a CA certificate names the missing setting", async () => {
    expect((await failure(conn({ sslrootcert: null }))).message).toMatch(
      /TLS mode is verify-full, which checks the server's certificate, but no CA certificate is set: paste the certificate/,
    );
  });

  test("a CA that did not sign the server's certificate is refused, naming the setting", async () => {
    expect((await failure(conn({ sslrootcert: otherCa }))).message).toMatch(
      /is not signed by the CA certificate set for this database \(TLS mode verify-full\)/,
    );
  });

  test("a host name the certificate does not list is refused by verify-full; verify-ca accepts it", async () => {
    expect((await failure(conn({ host: "127.0.0.1" }))).message).toMatch(
      /certificate of 127\.0\.0\.1:\d+ is not for that host name/,
    );
    const rows = await runPsqlQuery(conn({ host: "127.0.0.1", sslmode: "verify-ca" }), "SELECT 1");
    expect(rows[0]?.[0]).toBe("1");
  });

  test("the CA certificate is a 0600 file in the console's private folder while the child runs, gone after", async () => {
    const { env, cleanup } = await pgEnv(conn({}));
    const file = env.PGSSLROOTCERT ?? "";
    expect(fs.readFileSync(file, "utf8")).toBe(ca);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(path.dirname(file)).toBe(path.dirname(env.PGPASSFILE ?? ""));
    await cleanup();
    expect(fs.existsSync(file)).toBe(false);
    expect(await secretDirsOf(process.pid)).toEqual([]);
  });
});
