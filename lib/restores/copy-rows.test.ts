import { describe, expect, test } from "vitest";
import { UserError } from "@/lib/errors";
import {
  checkIdsFitType,
  checkSelection,
  describeSelection,
  formatTableName,
  parseIds,
  parseTableName,
  parseTableRef,
  selectionWhere,
  tocHasTable,
  type RowSelection,
} from "./copy-rows";

// The deletion wizard's inputs, parsed before anything runs. Integration with a real database:
// tests/deletion-inputs.test.ts.

describe("parseTableRef: quoted and unquoted parts, as SQL writes them", () => {
  test.each<[string, { schema: [string, boolean] | null; name: [string, boolean] }]>([
    ["transactions", { schema: null, name: ["transactions", false] }],
    ["MixedCase", { schema: null, name: ["MixedCase", false] }],
    ['"MixedCase"', { schema: null, name: ["MixedCase", true] }],
    ['public."MixedCase"', { schema: ["public", false], name: ["MixedCase", true] }],
    ['"Sales"."Order Items"', { schema: ["Sales", true], name: ["Order Items", true] }],
    ['  Sales . "Customer"  ', { schema: ["Sales", false], name: ["Customer", true] }],
    ['"a ""quoted"" name"', { schema: null, name: ['a "quoted" name', true] }],
    ['"with.dot"', { schema: null, name: ["with.dot", true] }],
    ["ünïcode_tbl", { schema: null, name: ["ünïcode_tbl", false] }],
    ["t$1", { schema: null, name: ["t$1", false] }],
  ])("%s", (input, expected) => {
    const ref = parseTableRef(input);
    expect(ref.schema ? [ref.schema.text, ref.schema.quoted] : null).toEqual(expected.schema);
    expect([ref.name.text, ref.name.quoted]).toEqual(expected.name);
  });

  test.each<[string, RegExp]>([
    ["", /Name the table/],
    ['"SomeTable', /opening quote without a closing one/],
    ['""', /empty quoted part/],
    ["a.b.c", /has 3 parts/],
    ["public.", /ends with a dot/],
    [".t", /empty part/],
    ["Order Items", /"Order Items" has characters a name can only have in double quotes \(write "Order Items"\)/],
    ["t; DROP TABLE users", /only have in double quotes/],
    ['"a"b', /unexpected "b"/],
    ["1abc", /only have in double quotes/],
    ["x".repeat(64), /at most 63 bytes/],
  ])("refuses %j", (input, message) => {
    expect(() => parseTableRef(input)).toThrow(UserError);
    expect(() => parseTableRef(input)).toThrow(message);
  });

  test("parseTableName reads parts as PostgreSQL does (unquoted A-Z folded)", () => {
    expect(parseTableName('Sales."Order Items"')).toEqual({ schema: "sales", name: "Order Items" });
    expect(parseTableName("MixedCase")).toEqual({ schema: null, name: "mixedcase" });
  });

  test.each([
    ["public", "transactions", "public.transactions"],
    ["Sales", "Order Items", '"Sales"."Order Items"'],
    ["ops", 'we"ird', 'ops."we""ird"'],
  ])("formatTableName(%j, %j) reads back as itself", (schema, name, text) => {
    expect(formatTableName(schema, name)).toBe(text);
    const ref = parseTableRef(text);
    expect([ref.schema?.text, ref.name.text]).toEqual([schema, name]);
  });
});

describe("parseIds: whole numbers (exact beyond 2^53), ranges, UUIDs, keys", () => {
  test.each<[string, RowSelection]>([
    ["1, 5, 9", { list: ["1", "5", "9"] }],
    ["1 5;9", { list: ["1", "5", "9"] }],
    ["100-250", { ranges: [{ from: "100", to: "250" }] }],
    ["100 - 250", { ranges: [{ from: "100", to: "250" }] }],
    [
      "100..250, 300 to 310",
      {
        ranges: [
          { from: "100", to: "250" },
          { from: "300", to: "310" },
        ],
      },
    ],
    ["5, 17, 100-199", { list: ["5", "17"], ranges: [{ from: "100", to: "199" }] }],
    ["9007199254740993, 9007199254741000", { list: ["9007199254740993", "9007199254741000"] }],
    ["9007199254740993-9007199254741007", { ranges: [{ from: "9007199254740993", to: "9007199254741007" }] }],
    ["007, -0, -12", { list: ["7", "0", "-12"] }],
    ["3F2504E0-4F89-11D3-9A0C-0305E82C3301", { list: ["3f2504e0-4f89-11d3-9a0c-0305e82c3301"] }],
    ["INV-2041, a_b", { list: ["INV-2041", "a_b"] }],
  ])("%j", (text, sel) => {
    expect(parseIds(text)).toEqual(sel);
  });

  test.each<[string, RegExp]>([
    ["1); DROP TABLE users; --", /^"1\)" is not an id: write whole numbers/],
    ["5, 7, 'x'", /^"'x'" is not an id/],
    ["1.5", /^"1.5" is not an id/],
    ["", /Name the deleted rows' ids/],
    [" , ; ", /Name the deleted rows' ids/],
    ["250-100", /The range 250-100 starts after it ends: write it as 100-250/],
  ])("refuses %j naming the problem", (text, message) => {
    expect(() => parseIds(text)).toThrow(UserError);
    expect(() => parseIds(text)).toThrow(message);
  });

  test("checkSelection accepts runs stored before ranges existed, and refuses unsafe numbers", () => {
    expect(checkSelection({ list: [5, "17"], from: 100, to: 199 })).toEqual({
      list: ["5", "17"],
      from: "100",
      to: "199",
    });
    expect(() => checkSelection({ list: [Number.MAX_SAFE_INTEGER + 2] })).toThrow(/Not a usable id/);
    expect(() => checkSelection({ from: 10.5 })).toThrow(/whole number/);
    expect(() => checkSelection({ list: ["1'); DROP TABLE users; --"] })).toThrow(/Not a usable id/);
  });

  test("selectionWhere puts listed ids in one JSON literal and ranges as checked integers", () => {
    const where = selectionWhere(
      "CustomerId",
      "bigint",
      checkSelection({ list: ["9007199254740993"], ranges: [{ from: "1", to: "9" }], to: 20 }),
    );
    const json = Buffer.from(JSON.stringify(["9007199254740993"])).toString("hex");
    expect(where).toBe(
      `"CustomerId" IN (SELECT v::bigint FROM jsonb_array_elements_text(convert_from(decode('${json}', 'hex'), 'UTF8')::jsonb) AS v)` +
        ` OR ("CustomerId" BETWEEN 1 AND 9) OR ("CustomerId" <= 20)`,
    );
  });

  test("describeSelection", () => {
    expect(describeSelection({ list: ["5", "17"], ranges: [{ from: "100", to: "199" }] })).toBe(
      "5, 17 or from 100 to 199",
    );
    expect(describeSelection({ list: ["1", "2", "3", "4", "5", "6"] })).toBe("in a list of 6 ids");
  });
});

describe("checkIdsFitType", () => {
  test.each<[RowSelection, string, RegExp | null]>([
    [{ list: ["9007199254740993"] }, "bigint", null],
    [{ list: ["9223372036854775808"] }, "bigint", /outside what the id column id \(bigint\) can hold/],
    [{ ranges: [{ from: "1", to: "3000000000" }] }, "integer", /3000000000 is outside/],
    [{ list: ["INV-1"] }, "bigint", /"INV-1" is not a whole number, but the id column id is bigint/],
    [{ list: ["12"] }, "uuid", /"12" is not a UUID/],
    [{ ranges: [{ from: "1", to: "5" }] }, "text", /ranges work only on whole-number ids/],
    [{ list: ["INV-1", "7"] }, "character varying(20)", null],
    [{ list: ["5"] }, "numeric(20,0)", null],
  ])("%j in a %s column", (sel, type, message) => {
    const run = () => checkIdsFitType(sel, "id", type);
    if (message) expect(run).toThrow(message);
    else expect(run).not.toThrow();
  });
});

describe("tocHasTable", () => {
  const toc = [
    ";",
    "; Archive created at 2026-12-01 02:00:00 UTC",
    "215; 1259 16390 TABLE Sales Customer lifeboat_test",
    "216; 1259 16400 TABLE Sales Order Items lifeboat_test",
    "217; 1259 16410 TABLE public plain ",
    "3340; 0 16390 TABLE DATA Sales Customer lifeboat_test",
  ].join("\n");
  test.each([
    ["Sales", "Customer", true],
    ["Sales", "Order Items", true],
    ["public", "plain", true],
    ["Sales", "Order", false],
    ["sales", "customer", false],
    ["Sales", "Customer lifeboat_test", false],
  ])("%s.%s → %s", (schema, name, has) => {
    expect(tocHasTable(toc, schema, name)).toBe(has);
  });
});
