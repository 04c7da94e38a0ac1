import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPsqlQuery, quoteIdent } from "@/lib/postgres/run";
import { pitrArchive, pitrConnection } from "@/lib/pitr/test-support";
import { baseBackupFor, readRecoverableWindow } from "@/lib/pitr/window";
import { lsnValue } from "@/lib/pitr/info";

// Against the shared cluster archiving through pgBackRest: rows committed, then the segment
// switched, must be inside the window, and its end must be the last commit itself (exact).

const table = `h3_window_${Date.now().toString(36)}`;
const conn = pitrConnection();

beforeAll(async () => {
  await runPsqlQuery(
    conn,
    `CREATE TABLE ${quoteIdent(table)} (id int primary key, at timestamptz default clock_timestamp())`,
  );
});
afterAll(async () => {
  await runPsqlQuery(conn, `DROP TABLE IF EXISTS ${quoteIdent(table)}`);
});

describe("readRecoverableWindow on the real archive", () => {
  it("ends exactly at the last archived commit after pg_switch_wal", async () => {
    await runPsqlQuery(conn, `INSERT INTO ${quoteIdent(table)} (id) SELECT g FROM generate_series(1, 50) g`);
    const [[noted = ""] = []] = await runPsqlQuery(
      conn,
      "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    );
    const t = new Date(noted);
    await runPsqlQuery(conn, `INSERT INTO ${quoteIdent(table)} (id) SELECT g FROM generate_series(51, 60) g`);
    // The commit time of the last insert, with microseconds (track_commit_timestamp is off: read the row's clock).
    const [[lastRow = ""] = []] = await runPsqlQuery(
      conn,
      `SELECT to_char(max(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM ${quoteIdent(table)}`,
    );
    const [[lsnBefore = ""] = []] = await runPsqlQuery(conn, "SELECT pg_current_wal_lsn()");
    await runPsqlQuery(conn, "SELECT pg_switch_wal()");
    // archive_command runs asynchronously: wait for the switched segment to be archived.
    const deadline = Date.now() + 30_000;
    let window = await readRecoverableWindow(pitrArchive(), { id: "x" });
    while ((window.newestRecoverable === null || window.newestRecoverable < t) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      window = await readRecoverableWindow(pitrArchive(), { id: "x" });
    }
    expect(window.baseBackups.length).toBeGreaterThan(0);
    expect(window.from).not.toBeNull();
    expect(window.newestRecoverable).not.toBeNull();
    const newest = window.newestRecoverable ?? new Date(0);
    expect(newest.getTime()).toBeGreaterThanOrEqual(t.getTime());
    // The last commit is the second insert's: after its rows' clock, before the switch.
    expect(window.lastCommitAt?.getTime() ?? 0).toBeGreaterThanOrEqual(new Date(lastRow).getTime() - 1);
    // A target must be strictly before the last commit: the newest one is the millisecond before it.
    expect(newest.getTime()).toBeLessThanOrEqual(window.lastCommitAt?.getTime() ?? 0);
    expect(lsnValue(window.newestRecoverableLsn ?? "0/0")).toBeLessThanOrEqual(lsnValue(lsnBefore));
    expect(window.gaps).toEqual([]);
    expect(baseBackupFor(window, t)?.label).toBe(window.baseBackups.at(-1)?.label);
    expect(baseBackupFor(window, new Date(0))).toBeNull();
  }, 60_000);
});
