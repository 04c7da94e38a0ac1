import { describe, expect, test } from "vitest";
import { z } from "zod";
import { UserError } from "@/lib/errors";
import { stepResult } from "@/lib/runner/results";

describe("a step's declared result", () => {
  const download = stepResult("download", z.object({ path: z.string(), bytes: z.number() }));

  test("a later step reads it through the producer's schema", () => {
    expect(download.of({ results: { download: { path: "/tmp/x", bytes: 3, extra: true } } })).toEqual({
      path: "/tmp/x",
      bytes: 3,
    });
  });

  test("missing: find gives null, of says which step to run again", () => {
    expect(download.find({ results: {} })).toBeNull();
    expect(() => download.of({ results: {} })).toThrow(
      new UserError('the result of the step "download" is missing: run that step again', 409),
    );
  });

  test("something else than the step returns is refused, naming the step", () => {
    expect(() => download.find({ results: { download: { path: 5 } } })).toThrow(
      /the stored result of the step "download" is not what that step returns/,
    );
    expect(() => download.of({ results: { download: null } })).toThrow(UserError);
  });
});
