import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runPsqlQuery } from "@/lib/postgres/run";
import { createDatabase, dropDatabase, testConnection, uniqueDatabaseName } from "@/lib/postgres/test-support";
import { checkSelection, copyRowsBack, parseIds, previewRows, rowSelectionSchema } from "@/lib/restores/copy-rows";
import { parseScenarioInput, requireScenario } from "@/lib/scenarios/registry";

// Deletion ids stay text (BigInt where compared) from the wizard's field to the SQL: through
// Number() 1234567890123456789 and 1234567890123456790 are the same double, so asking for one
// would preview, and copy back, the other. Both ids are real rows here; only the first was deleted.

const A = "1234567890123456789";
const B = "1234567890123456790";
const scratch = uniqueDatabaseName("bigid_scr");
const target = uniqueDatabaseName("bigid_tgt");

beforeAll(async () => {
  for (const name of [scratch, target]) {
    await createDatabase(name);
    await runPsqlQuery(
      testConnection(name),
      `CREATE TABLE accounts (id bigint PRIMARY KEY, owner text); INSERT INTO accounts VALUES (${A}, 'alice'), (${B}, 'bob')`,
    );
  }
  // Production lost alice's row only.
  await runPsqlQuery(testConnection(target), `DELETE FROM accounts WHERE id = ${A}`);
}, 60_000);

afterAll(async () => {
  await dropDatabase(scratch);
  await dropDatabase(target);
});

describe("ids beyond 2^53 do not collide", () => {
  test("the precondition: as JavaScript numbers the two ids are equal", () => {
    expect(Number(A)).toBe(Number(B));
  });

  test("typed, checked, stored as the run stores them and read back, both ids stay exact and distinct", () => {
    const sel = parseIds(`${A}, ${B}`);
    expect(sel.list).toEqual([A, B]);
    const input = parseScenarioInput(requireScenario("accidental-deletion"), {
      table: "public.accounts",
      idColumn: "id",
      ids: `${A} ${B} ${A}-${B}`,
    }) as { ids: unknown };
    // Run.options is JSON; a resumed run parses it again.
    const stored = rowSelectionSchema.parse(JSON.parse(JSON.stringify(input.ids)));
    expect(checkSelection(stored)).toEqual({ list: [A, B], ranges: [{ from: A, to: B }] });
  });

  test("asking for the deleted id previews and copies back exactly that row, and not its neighbour", async () => {
    const p = await previewRows(testConnection(scratch), testConnection(target), "public.accounts", "id", parseIds(A));
    expect(p).toMatchObject({ inBackup: 1, inProduction: 0, missing: 1, ids: [A] });
    const r = await copyRowsBack(testConnection(scratch), testConnection(target), p, () => {});
    expect(r).toMatchObject({ copied: 1, inserted: 1, skipped: 0 });
    expect(await runPsqlQuery(testConnection(target), "SELECT id::text, owner FROM accounts ORDER BY id")).toEqual([
      [A, "alice"],
      [B, "bob"],
    ]);
  });

  test("asking for the neighbour finds it present: nothing to copy", async () => {
    const p = await previewRows(testConnection(scratch), testConnection(target), "public.accounts", "id", parseIds(B));
    expect(p).toMatchObject({ inBackup: 1, inProduction: 1, missing: 0, ids: [] });
  });

  test("a range between the two counts two rows, not one", async () => {
    const p = await previewRows(
      testConnection(scratch),
      testConnection(target),
      "public.accounts",
      "id",
      parseIds(`${A}-${B}`),
    );
    expect(p.inBackup).toBe(2);
  });
});
