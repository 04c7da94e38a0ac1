import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, test } from "vitest";

// The layering rules in eslint.config.mjs, exercised on planted files: lint must fail when lib/
// imports app/, or when an infrastructure folder imports a domain, and pass on a clean import.

const root = path.resolve(import.meta.dirname, "..");
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const planted = x;\n`, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layering", () => {
  test.each([
    ["lib/backups/planted.ts", 'import x from "@/app/(console)/backups/actions";', /must not import app/],
    ["lib/backups/planted.ts", 'import x from "../../app/api/health/route";', /must not import app/],
    ["lib/storage/planted.ts", 'import x from "@/app/layout";', /must not import app/],
    ["lib/storage/planted.ts", 'import x from "@/lib/restores/steps";', /know no domain/],
    ["lib/storage/planted.ts", 'import x from "../locations/schemas";', /know no domain/],
    ["lib/postgres/planted.ts", 'import x from "@/lib/backups/manifest";', /know no domain/],
    ["lib/runner/planted.ts", 'import x from "@/lib/scenarios/catalog";', /know no domain/],
    ["lib/runner/planted.ts", 'import x from "@/lib/drills/mutations";', /know no domain/],
  ])("%s: %s is refused", async (file, source, message) => {
    const errors = await importErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  test.each([
    ["lib/storage/planted.ts", 'import x from "./provider";'],
    ["lib/postgres/planted.ts", 'import x from "@/lib/errors";'],
    ["lib/runner/planted.ts", 'import x from "@/lib/postgres/run";'],
    ["lib/restores/planted.ts", 'import x from "@/lib/storage/provider";'],
    ["lib/locations/planted.ts", 'import x from "@/lib/storage/s3-config";'],
    ["app/(console)/planted.ts", 'import x from "@/lib/restores/steps";'],
  ])("%s: %s is allowed", async (file, source) => {
    expect(await importErrors(file, source)).toEqual([]);
  });
});
