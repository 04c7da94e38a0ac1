import { expect, test } from "vitest";
import { escapeLabelValue, family, histogram, parseExposition } from "@/lib/metrics/prometheus";

const hostile = 'prod"} 1\nlifeboat_fake{database="x\\';

test("a hostile label value stays inside its label", () => {
  const text = family("lifeboat_x", "x", "gauge", [{ labels: { database: hostile }, value: 5 }]);
  const lines = text.trim().split("\n");
  // HELP, TYPE and exactly one sample: the line break did not start another sample.
  expect(lines).toHaveLength(3);
  expect(lines[2]).toBe('lifeboat_x{database="prod\\"} 1\\nlifeboat_fake{database=\\"x\\\\"} 5');
  expect(parseExposition(text)).toEqual([{ name: "lifeboat_x", labels: { database: hostile }, value: 5 }]);
});

test.each([
  ["a\\b", "a\\\\b"],
  ['say "hi"', 'say \\"hi\\"'],
  ["two\nlines", "two\\nlines"],
])("escapes %j", (raw, escaped) => {
  expect(escapeLabelValue(raw)).toBe(escaped);
});

test("a histogram has cumulative buckets, +Inf, sum and count", () => {
  const samples = parseExposition(
    histogram("lifeboat_d_seconds", "d", [60, 10], [{ labels: { status: "ok" }, values: [5, 30, 90] }]),
  );
  const bucket = (le: string) => samples.find((s) => s.labels.le === le)?.value;
  expect(bucket("10")).toBe(1);
  expect(bucket("60")).toBe(2);
  expect(bucket("+Inf")).toBe(3);
  expect(samples.find((s) => s.name === "lifeboat_d_seconds_sum")?.value).toBe(125);
  expect(samples.find((s) => s.name === "lifeboat_d_seconds_count")?.value).toBe(3);
});
