import { describe, expect, test } from "vitest";
import { UserError } from "@/lib/errors";
import { parseStoredJson } from "@/lib/stored-json";
import { z } from "zod";
import {
  canCancelRun,
  canResumeRun,
  isActiveRun,
  isEndedRun,
  isFinalRun,
  releasesDatabase,
  RUN_STATUS_DISPLAY,
  RUN_STATUSES,
  STEP_STATUS_DISPLAY,
  STEP_STATUSES,
  storedRunStatus,
  type RunStatus,
} from "@/lib/runner/states";

describe("run states", () => {
  // status: active, ended, final, resume, cancel, releases the database
  test.each<[RunStatus, boolean, boolean, boolean, boolean, boolean, boolean]>([
    ["planned", false, false, false, false, true, true],
    ["queued", true, false, false, false, true, false],
    ["running", true, false, false, false, true, false],
    ["waiting", true, false, false, false, true, false],
    ["interrupted", false, false, false, true, true, false],
    ["failed", false, true, false, true, true, true],
    ["succeeded", false, true, true, false, false, true],
    ["cancelled", false, true, true, false, false, true],
  ])("%s", (status, active, ended, final, resume, cancel, releases) => {
    expect([
      isActiveRun(status),
      isEndedRun(status),
      isFinalRun(status),
      canResumeRun(status),
      canCancelRun(status),
      releasesDatabase(status),
    ]).toEqual([active, ended, final, resume, cancel, releases]);
  });

  test("every state has words, not only a tone", () => {
    for (const s of RUN_STATUSES) expect(RUN_STATUS_DISPLAY[s].label.length).toBeGreaterThan(2);
    for (const s of STEP_STATUSES) expect(STEP_STATUS_DISPLAY[s].label.length).toBeGreaterThan(2);
  });

  test("a stored word outside the lifecycle is a clear error", () => {
    expect(storedRunStatus("running")).toBe("running");
    expect(() => storedRunStatus("Running")).toThrow(UserError);
    expect(() => storedRunStatus("done")).toThrow(/malformed run status \("done" is none of planned, queued/);
  });
});

describe("stored JSON", () => {
  const schema = z.object({ a: z.number() });
  test("parsed with its producer's schema", () => {
    expect(parseStoredJson('{"a": 1, "b": 2}', schema, "thing (T.col)")).toEqual({ a: 1 });
  });
  test("not JSON or not the schema: a message naming the column, never the stored text", () => {
    expect(() => parseStoredJson('{"secret": "hunter2"', schema, "thing (T.col)")).toThrow(
      /malformed thing \(T\.col\) \(not JSON\)/,
    );
    const e = (() => {
      try {
        parseStoredJson('{"a": "hunter2"}', schema, "thing (T.col)");
      } catch (err) {
        return err as UserError;
      }
      return null;
    })();
    expect(e?.status).toBe(500);
    expect(e?.message).toMatch(/malformed thing \(T\.col\) \(a: /);
    expect(e?.message).not.toContain("hunter2");
  });
});
