import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { ROOT } from "./support/files";

// Every Playwright spec must take `test` from e2e/fixtures.ts, whose fixture fails a test on any
// console error or uncaught page error; a spec importing @playwright/test directly would skip it.

const specs = fs.readdirSync(path.join(ROOT, "e2e")).filter((f) => f.endsWith(".spec.ts"));

test("there are specs to check", () => {
  expect(specs.length).toBeGreaterThan(5);
});

test.each(specs)("e2e/%s uses the console-error fixture", (spec) => {
  const source = fs.readFileSync(path.join(ROOT, "e2e", spec), "utf8");
  expect(
    source,
    `${spec} imports from @playwright/test; import { expect, test } from "./fixtures" instead`,
  ).not.toMatch(/from\s+["']@playwright\/test["']/);
  expect(source).toMatch(/from\s+["']\.\/fixtures["']/);
});
