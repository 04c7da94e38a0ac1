import { expect, test } from "vitest";
import { parseCsv } from "@/tests/support/csv";
import { csvCell, toCsv } from "./csv";

test.each([
  ['=HYPERLINK("http://evil.test","x")', '\'=HYPERLINK("http://evil.test","x")'],
  ["+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"],
  ["-2+3", "'-2+3"],
  ["@SUM(A1)", "'@SUM(A1)"],
  ["\t=1+1", "'\t=1+1"],
  ["\r=1+1", "'\r=1+1"],
  ["plain text", "plain text"],
  ["a=b", "a=b"],
  ["", ""],
])("a cell that a spreadsheet would run is made text: %j", (value, shown) => {
  const [[cell]] = parseCsv(toCsv(["x"], [[value]])).slice(1) as [[string]];
  expect(cell).toBe(shown);
});

test("commas, quotes, line breaks and edge spaces survive a round trip", () => {
  const rows = [
    ["a,b", 'say "hi"', "two\nlines", " padded ", '{"k":"v, w"}'],
    [1, null, undefined, "x", ""],
  ];
  const parsed = parseCsv(toCsv(["c1", "c2", "c3", "c4", "c5"], rows));
  expect(parsed).toEqual([
    ["c1", "c2", "c3", "c4", "c5"],
    ["a,b", 'say "hi"', "two\nlines", " padded ", '{"k":"v, w"}'],
    ["1", "", "", "x", ""],
  ]);
});

test("numbers are written as they are, but a leading minus is prefixed like any other (OWASP)", () => {
  expect(csvCell(42)).toBe("42");
  expect(csvCell(-1)).toBe("'-1");
});
