import { describe, expect, it } from "vitest";
import { lsnValue, parsePgbackrestInfo, PgbackrestInfoError } from "@/lib/pitr/info";

// pgbackrest info's JSON comes from a repository anyone with bucket access can write: it is
// parsed as hostile input.

const good = {
  archive: [
    {
      database: { id: 1, "repo-key": 1 },
      id: "15-1",
      max: "000000010000000000000005",
      min: "000000010000000000000001",
    },
  ],
  backup: [
    {
      archive: { start: "000000010000000000000002", stop: "000000010000000000000002" },
      database: { id: 1, "repo-key": 1 },
      error: false,
      info: { delta: 22992405, repository: { delta: 3503045, size: 3503045 }, size: 22992405 },
      label: "20261201-224133F",
      lsn: { start: "0/2000028", stop: "0/2000100" },
      prior: null,
      reference: null,
      timestamp: { start: 1796164893, stop: 1796164896 },
      type: "full",
    },
  ],
  cipher: "none",
  db: [{ id: 1, "repo-key": 1, "system-id": 7714469465282629483, version: "15" }],
  name: "lifeboat",
  repo: [{ cipher: "none", key: 1, status: { code: 0, message: "ok" } }],
  status: { code: 0, lock: { backup: { held: false } }, message: "ok" },
};

const clone = () => structuredClone(good);

describe("parsePgbackrestInfo", () => {
  it("reads the real shape", () => {
    const info = parsePgbackrestInfo([good], "lifeboat");
    expect(info).toMatchObject({
      stanza: "lifeboat",
      status: { code: 0, message: "ok" },
      walMin: "000000010000000000000001",
    });
    expect(info.walMax).toBe("000000010000000000000005");
    expect(info.archiveId).toBe("15-1");
    expect(info.pgVersion).toBe("15");
    expect(info.backups).toEqual([
      {
        label: "20261201-224133F",
        type: "full",
        startedAt: new Date(1796164893000),
        stoppedAt: new Date(1796164896000),
        startLsn: "0/2000028",
        stopLsn: "0/2000100",
        walStart: "000000010000000000000002",
        walStop: "000000010000000000000002",
        sizeBytes: 22992405,
        repoSizeBytes: 3503045,
        error: false,
      },
    ]);
  });

  it("drops a backup whose label could be read as an option, or whose fields lie", () => {
    const bad = [
      { label: "--repo1-path=/etc" },
      { label: "20261201-224133F; rm -rf /" },
      { type: "weird" },
      { timestamp: { start: 1796164896, stop: 1796164893 } },
      { lsn: { start: "0/2000028", stop: "'; DROP" } },
      { archive: { start: "../../etc/passwd", stop: "000000010000000000000002" } },
      { info: { size: 2 ** 60, repository: { size: 1 } } },
      { info: { size: -1, repository: { size: 1 } } },
      { timestamp: { start: "yesterday", stop: 1 } },
    ];
    for (const patch of bad) {
      const s = clone();
      s.backup = [
        { ...good.backup[0], ...patch } as (typeof good.backup)[number],
        good.backup[0] as (typeof good.backup)[number],
      ];
      const info = parsePgbackrestInfo([s], "lifeboat");
      expect(info.backups).toHaveLength(1);
      expect(info.rejectedBackups).toBe(1);
    }
  });

  it("refuses output that is not a list of stanzas, or lacks the stanza", () => {
    for (const junk of [null, 42, "[]", {}, [{}], [{ name: "lifeboat", status: "ok" }], [{ ...good, archive: "x" }]]) {
      expect(() => parsePgbackrestInfo(junk, "lifeboat")).toThrow(PgbackrestInfoError);
    }
    expect(() => parsePgbackrestInfo([good], "other")).toThrow(/no stanza named "other"/);
    expect(() => parsePgbackrestInfo([{ ...good, backup: new Array(10_001).fill(null) }], "lifeboat")).toThrow(
      PgbackrestInfoError,
    );
  });

  it("never trusts system-id (beyond 2^53) and ignores unknown fields", () => {
    const s = { ...clone(), extra: { deep: [1, 2, 3] } };
    expect(() => parsePgbackrestInfo([s], "lifeboat")).not.toThrow();
    expect(JSON.stringify(parsePgbackrestInfo([s], "lifeboat"))).not.toContain("7714469465282629");
  });

  it("picks the current database's archive after an upgrade", () => {
    const s = clone();
    s.db = [...s.db, { id: 2, "repo-key": 1, "system-id": 1, version: "16" }];
    s.archive = [
      ...s.archive,
      {
        database: { id: 2, "repo-key": 1 },
        id: "16-2",
        max: "000000010000000000000009",
        min: "000000010000000000000008",
      },
    ];
    const info = parsePgbackrestInfo([s], "lifeboat");
    expect(info).toMatchObject({ archiveId: "16-2", pgVersion: "16", walMin: "000000010000000000000008" });
  });

  it("compares LSNs exactly beyond 2^53", () => {
    expect(lsnValue("FFFFFFFF/FFFFFFFF") > lsnValue("FFFFFFFF/FFFFFFFE")).toBe(true);
    expect(lsnValue("16/B374D848")).toBe(0x16b374d848n);
  });
});
