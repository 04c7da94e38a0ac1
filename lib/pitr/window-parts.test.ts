import { describe, expect, it } from "vitest";
import {
  baseBackupFor,
  contiguousFrom,
  findGaps,
  lastXactRecord,
  newestTargetBefore,
  parseArchivedSegments,
  segmentName,
  segmentPosition,
} from "@/lib/pitr/window";
import type { BaseBackup } from "@/lib/pitr/info";

// The pure parts of the window: segment arithmetic, gaps, pg_waldump lines, the exact newest target.

const seg = (name: string, t = 0) => ({ name, file: `x/${name}`, archivedAt: new Date(t * 1000) });
const sha = "a".repeat(40);

describe("archived segments and gaps", () => {
  it("lists segments from repo-ls, ignoring anything else a bucket holds", () => {
    const list = parseArchivedSegments({
      ".": { type: "path" },
      "0000000100000000": { type: "path" },
      [`0000000100000000/000000010000000000000003-${sha}.gz`]: { type: "file", size: 1, time: 1000 },
      [`0000000100000000/000000010000000000000001-${sha}.gz`]: { type: "file", size: 1, time: 900 },
      "0000000100000000/000000010000000000000002.00000028.backup": { type: "file", size: 1, time: 950 },
      [`0000000100000000/../../etc/passwd-${sha}.gz`]: { type: "file", size: 1, time: 950 },
      [`0000000200000000/000000010000000000000004-${sha}.gz`]: { type: "file", size: 1, time: 950 },
      "00000002.history": { type: "file", size: 1, time: 950 },
    });
    expect(list.map((s) => s.name)).toEqual(["000000010000000000000001", "000000010000000000000003"]);
    expect(list[0]?.archivedAt).toEqual(new Date(900_000));
    expect(() => parseArchivedSegments([1, 2])).toThrow();
  });

  it("finds a missing segment, across a log boundary too, and not at a timeline switch", () => {
    expect(segmentName(1, segmentPosition("0000000100000001000000FF").position + 1n)).toBe("000000010000000200000000");
    const gaps = findGaps([
      seg("0000000100000001000000FE", 1),
      seg("0000000100000001000000FF", 2),
      seg("000000010000000200000000", 3),
      seg("000000010000000200000002", 5),
      seg("000000020000000200000005", 6),
    ]);
    expect(gaps).toEqual([
      {
        afterSegment: "000000010000000200000000",
        beforeSegment: "000000010000000200000002",
        from: new Date(3000),
        to: new Date(5000),
      },
    ]);
  });

  it("stops the reachable run at the first gap after the backup's start", () => {
    const run = contiguousFrom(
      [
        seg("000000010000000000000001"),
        seg("000000010000000000000002"),
        seg("000000010000000000000003"),
        seg("000000010000000000000005"),
      ],
      "000000010000000000000002",
    );
    expect(run.map((s) => s.name)).toEqual(["000000010000000000000002", "000000010000000000000003"]);
    // The backup's own first segment missing: nothing is reachable.
    expect(contiguousFrom([seg("000000010000000000000003")], "000000010000000000000002")).toEqual([]);
  });
});

describe("pg_waldump output", () => {
  const out = [
    "rmgr: Heap        len (rec/tot):     54/    54, tx:        736, lsn: 0/03000028, prev 0/02000100, desc: INSERT off 2",
    "rmgr: Transaction len (rec/tot):     34/    34, tx:        736, lsn: 0/03000060, prev 0/03000028, desc: COMMIT 2026-12-01 22:41:33.123456 UTC",
    "rmgr: Transaction len (rec/tot):    226/   226, tx:        737, lsn: 0/03036E68, prev 0/03036E18, desc: ABORT 2026-12-01 22:43:01.969463 UTC; inval msgs: catcache 63",
    "rmgr: Transaction len (rec/tot):     34/    34, tx:        738, lsn: 0/0303F000, prev 0/03036E68, desc: COMMIT 2026-12-01 23:00:00.000000 CET",
    "rmgr: Heap        len (rec/tot):     54/    54, tx:        739, lsn: 0/0303F110, prev 0/0303F000, desc: COMMIT 2030-01-01 00:00:00.000000 UTC",
  ].join("\n");

  it("takes the last COMMIT or ABORT of the Transaction manager, in UTC only", () => {
    expect(lastXactRecord(out)).toEqual({ lsn: "0/03036E68", atMicros: 1796164981969463n });
    expect(lastXactRecord("")).toBeNull();
  });

  it("puts the newest target strictly before the last commit, to the millisecond", () => {
    expect(newestTargetBefore(1796164981969463n).toISOString()).toBe("2026-12-01T22:43:01.969Z");
    // A commit on a whole millisecond: the millisecond before it.
    expect(newestTargetBefore(1796164981969000n).toISOString()).toBe("2026-12-01T22:43:01.968Z");
  });
});

describe("baseBackupFor", () => {
  const b = (label: string, stop: string, stopLsn: string): BaseBackup => ({
    label,
    type: "full",
    startedAt: new Date(Date.parse(stop) - 5000),
    stoppedAt: new Date(stop),
    startLsn: "0/1",
    stopLsn,
    walStart: "000000010000000000000001",
    walStop: "000000010000000000000001",
    sizeBytes: 1,
    repoSizeBytes: 1,
    error: false,
  });
  const w = {
    baseBackups: [
      b("20261201-100000F", "2026-12-01T10:00:05Z", "0/2000100"),
      b("20261201-120000F", "2026-12-01T12:00:05Z", "0/9000100"),
    ],
  };
  it("picks the newest backup that ended before the target", () => {
    expect(baseBackupFor(w, new Date("2026-12-01T11:00:00Z"))?.label).toBe("20261201-100000F");
    expect(baseBackupFor(w, new Date("2026-12-01T13:00:00Z"))?.label).toBe("20261201-120000F");
    // Within the second the stop was stamped in: the backup may not be consistent yet.
    expect(baseBackupFor(w, new Date("2026-12-01T12:00:05.500Z"))?.label).toBe("20261201-100000F");
    expect(baseBackupFor(w, new Date("2026-12-01T09:00:00Z"))).toBeNull();
    expect(baseBackupFor(w, { lsn: "0/9000100" })?.label).toBe("20261201-120000F");
    expect(baseBackupFor(w, { lsn: "0/8FFFFFF" })?.label).toBe("20261201-100000F");
    expect(baseBackupFor(w, { lsn: "10/0" })?.label).toBe("20261201-120000F");
  });
});
