import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, expect, test } from "vitest";

// scripts/failed-tests.mjs ends test:all's log with each failed test by name: CI shows the end of
// the log, and vitest's own report of a failure is thousands of lines above it.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-failed-tests-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function report(vitest: unknown, playwright: unknown): Promise<string> {
  const v = path.join(dir, "vitest.json");
  const p = path.join(dir, "playwright.json");
  fs.writeFileSync(v, JSON.stringify(vitest));
  fs.writeFileSync(p, JSON.stringify(playwright));
  const r = await execa("node", ["scripts/failed-tests.mjs", v, p]);
  return r.stdout;
}

test("names each failed vitest and Playwright test with its error's first lines, and nothing that passed", async () => {
  const out = await report(
    {
      testResults: [
        {
          name: path.join(process.cwd(), "lib/catalog/sync.test.ts"),
          status: "failed",
          assertionResults: [
            { status: "passed", fullName: "catalog sync a passing one" },
            {
              status: "failed",
              fullName: "catalog sync the first sync catalogues every object",
              failureMessages: ["AssertionError: expected [] to include 'Backup_idx'\n\n    at line 1\n    at line 2"],
            },
          ],
        },
        {
          name: path.join(process.cwd(), "tests/hooks.test.ts"),
          status: "failed",
          message: "Error: Hook timed out in 60000ms",
          assertionResults: [],
        },
      ],
    },
    {
      suites: [
        {
          file: "restore.spec.ts",
          specs: [
            { title: "fine", tests: [{ status: "expected", results: [] }] },
            {
              title: "the wizard runs",
              tests: [
                { status: "unexpected", results: [{ error: { message: "\u001b[31mTimed out 10000ms\u001b[39m" } }] },
              ],
            },
          ],
        },
      ],
    },
  );
  expect(out).toContain("Failed tests:");
  expect(out).toContain("✗ lib/catalog/sync.test.ts › catalog sync the first sync catalogues every object");
  expect(out).toContain("AssertionError: expected [] to include 'Backup_idx'");
  expect(out).toContain("✗ tests/hooks.test.ts (the file itself)");
  expect(out).toContain("Hook timed out in 60000ms");
  expect(out).toContain("✗ restore.spec.ts › the wizard runs (unexpected)\n      Timed out 10000ms");
  expect(out).not.toContain("passing one");
  expect(out).not.toContain("fine");
});

test("says nothing when every test passed or a report is missing", async () => {
  expect(await report({ testResults: [{ name: "a.test.ts", status: "passed", assertionResults: [] }] }, {})).toBe("");
  const r = await execa("node", [
    "scripts/failed-tests.mjs",
    path.join(dir, "none.json"),
    path.join(dir, "none2.json"),
  ]);
  expect(r.stdout).toBe("");
  expect(r.exitCode).toBe(0);
});
