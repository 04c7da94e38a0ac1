import { randomUUID } from "node:crypto";
import { seal } from "@/lib/crypto/key";
import { db } from "@/lib/db";
import type { PgConnection } from "@/lib/postgres/connection";
import { quoteIdent, runPsqlQuery } from "@/lib/postgres/run";
import { uniqueDatabaseName } from "@/lib/postgres/test-support";
import { readArchiveInfo } from "@/lib/pitr/window";
import { pitrArchive, pitrConnection } from "@/lib/pitr/test-support";

// For the recovery engine's integration tests: a database on the shared archiving cluster with
// its Lifeboat rows (Database with its sealed password, WalArchive), and the moves a test makes
// on it (a WAL switch waited for until the segment is archived).

/** A fresh database on the archiving cluster, registered in Lifeboat with its WAL archive. */
export async function archivedTestDatabase(prefix: string): Promise<{ databaseId: string; conn: PgConnection }> {
  const name = uniqueDatabaseName(prefix);
  await runPsqlQuery(pitrConnection(), `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`);
  const conn = pitrConnection(name);
  const id = `c${randomUUID().replace(/-/g, "").slice(0, 24)}`;
  await db.database.create({
    data: {
      id,
      name: `pitr-${name}`,
      host: conn.host,
      port: conn.port,
      dbName: name,
      user: conn.user,
      passwordEnc: seal(conn.password ?? "", { table: "Database", id, field: "passwordEnc" }),
      sslmode: "disable",
    },
  });
  const { id: _ignored, pgBinDir, ...archive } = pitrArchive();
  void _ignored;
  await db.walArchive.create({ data: { ...archive, pgBinDir, databaseId: id } });
  return { databaseId: id, conn };
}

/** pg_switch_wal() in its own statement, then waits until that segment is in the repository. */
export async function switchWalAndWait(conn: PgConnection, timeoutMs = 30_000): Promise<string> {
  const [[segment = ""] = []] = await runPsqlQuery(conn, "SELECT pg_walfile_name(pg_switch_wal())");
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [[last = "", failed = ""] = []] = await runPsqlQuery(
      conn,
      "SELECT coalesce(last_archived_wal, ''), coalesce(last_failed_wal, '') FROM pg_stat_archiver",
    );
    // Same timeline: segment names sort in WAL order.
    if (last.slice(8) >= segment.slice(8) && last !== "") return segment;
    if (Date.now() > until)
      throw new Error(`segment ${segment} was not archived within ${timeoutMs} ms (last ${last}, failed ${failed})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The newest base backup of the shared archive that ended before `before`. */
export async function newestBaseBackupBefore(before: Date): Promise<string> {
  const info = await readArchiveInfo(pitrArchive());
  const fit = info.backups.filter((b) => b.stoppedAt.getTime() + 1000 <= before.getTime()).at(-1);
  if (!fit) throw new Error("the shared archive has no base backup before the test's data");
  return fit.label;
}
