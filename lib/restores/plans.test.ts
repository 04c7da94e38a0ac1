import { describe, expect, test } from "vitest";
import { UserError } from "@/lib/errors";
import { checkSelection, selectionWhere } from "./copy-rows";
import { textLiteral } from "./database-admin";
import {
  MAX_IDENTIFIER_BYTES,
  OLD_COPY_NAME_PATTERN,
  oldCopyName,
  restoreTimestamp,
  SCRATCH_NAME_PATTERN,
  scratchDatabaseName,
  truncateUtf8,
} from "./names";
import { scenarioById } from "@/lib/scenarios/registry";
import { planFor, type PlanInput } from "./plans";
import { countProblems } from "./steps";
import { sampleManifest as manifest, untouchableStorage as untouchable } from "./plan-test-fixtures";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";

// Plans are pure: these tests build them with a storage that fails on any use.

const common = {
  target: {
    name: "Amani production",
    environment: "production" as const,
    conn: { host: "db.internal", port: 5432, user: "lifeboat", password: "s3cret-pw", database: "amani" },
    migrationHead: DEFAULT_HEAD_SOURCE,
  },
  backup: {
    storage: untouchable,
    key: "amani/amani_backup_20250101_020000.dump",
    size: 1234,
    format: "custom" as const,
    manifest,
    locationName: "S3 eu",
  },
  now: new Date("2025-03-04T05:06:07Z"),
};

const inputs: Record<string, PlanInput> = {
  "database-corruption": { ...common, scenarioId: "database-corruption" },
  "failed-migration": { ...common, scenarioId: "failed-migration" },
  "accidental-deletion": {
    ...common,
    scenarioId: "accidental-deletion",
    table: "public.transactions",
    idColumn: "id",
    ids: { from: 100, to: 199 },
  },
  "infrastructure-loss": {
    ...common,
    scenarioId: "infrastructure-loss",
    healthUrls: ["https://app.example.test/health"],
  },
};

const SAFE = [
  "preflight",
  "download",
  "verify-backup",
  "sql-safety",
  "create-scratch",
  "restore-scratch",
  "verify-scratch",
  "verify-grants",
  "confirm-switch-over",
  "switch-over",
  "verify-target",
  "remove-download",
  "run-migrations",
  "start-application",
  "check-health",
];

describe("planFor", () => {
  test.each<[string, string[]]>([
    ["database-corruption", SAFE],
    ["failed-migration", ["migration-heads", "try-downgrade", ...SAFE]],
    [
      "accidental-deletion",
      [
        "preflight",
        "download",
        "verify-backup",
        "sql-safety",
        "create-scratch",
        "restore-scratch",
        "verify-scratch",
        "preview-rows",
        "confirm-copy-back",
        "copy-back",
        "drop-scratch",
        "remove-download",
      ],
    ],
    [
      "infrastructure-loss",
      [
        "preflight",
        "download",
        "verify-backup",
        "sql-safety",
        "create-target",
        "restore-target",
        "verify-target",
        "verify-grants",
        "remove-download",
        "deploy-application",
        "run-migrations",
        "check-health",
        "switch-dns",
        "monitor",
      ],
    ],
  ])("%s: steps, version, and no I/O while building", (id, keys) => {
    const input = inputs[id];
    if (!input) throw new Error(id);
    const plan = planFor(input);
    expect(plan.scenarioId).toBe(id);
    expect(plan.scenarioVersion).toBe(scenarioById(id)?.version);
    // Version 3 added the owners-and-grants check to the scenarios that replace a database.
    expect(plan.scenarioVersion).toBe(id === "accidental-deletion" || id === "infrastructure-loss" ? 3 : 4);
    expect(plan.steps.map((s) => s.key)).toEqual(keys);
    for (const s of plan.steps) {
      expect(Boolean(s.run)).toBe(s.kind === "automatic");
      expect(s.title.length).toBeGreaterThan(3);
    }
    // Nothing secret in what is shown and stored.
    const shown = JSON.stringify({
      steps: plan.steps.map((s) => [s.title, s.command, s.description]),
      summary: plan.summary,
    });
    expect(shown).not.toContain("s3cret-pw");
  });

  test("the same input gives the same plan (the runner rebuilds it to resume)", () => {
    for (const input of Object.values(inputs)) {
      const show = (p: ReturnType<typeof planFor>) =>
        JSON.stringify([p.steps.map((s) => [s.key, s.kind, s.title, s.command, s.description]), p.summary]);
      expect(show(planFor(input))).toBe(show(planFor(input)));
    }
  });

  test("names the scratch database and the old copy after the target and the plan's time", () => {
    const plan = planFor(inputs["database-corruption"] as PlanInput);
    expect(plan.summary).toMatchObject({
      scratchDatabase: "amani_lifeboat_20250304050607",
      oldCopy: "amani_before_20250304050607",
    });
    const restore = plan.steps.find((s) => s.key === "restore-scratch");
    expect(restore?.command).toEqual(
      expect.arrayContaining(["pg_restore", "--exit-on-error", "--dbname=amani_lifeboat_20250304050607"]),
    );
    // Owners and grants are restored as they were, not dropped.
    expect(restore?.command).not.toContain("--no-owner");
    expect(restore?.command).not.toContain("--no-acl");
    const sw = plan.steps.find((s) => s.key === "switch-over");
    expect(sw?.command?.join(" ")).toContain(`ALTER DATABASE "amani" RENAME TO "amani_before_20250304050607"`);
  });

  test("a plain dump is restored by psql reading stdin (BEGIN and COMMIT are Lifeboat's own), stopping at the first error", () => {
    const plan = planFor({
      ...common,
      backup: { ...common.backup, format: "plain_gzip", key: "x.sql.gz" },
      scenarioId: "database-corruption",
    });
    const restore = plan.steps.find((s) => s.key === "restore-scratch");
    expect(restore?.command).toEqual([
      "psql",
      "-X",
      "--no-password",
      "--set=ON_ERROR_STOP=1",
      "--quiet",
      "--set=VERBOSITY=verbose",
      "--file=-",
      "--dbname=amani_lifeboat_20250304050607",
    ]);
  });

  test.each<[string, PlanInput, RegExp]>([
    [
      "an unknown format",
      { ...common, backup: { ...common.backup, format: "unknown" }, scenarioId: "database-corruption" },
      /format of .* is unknown/,
    ],
    [
      "no rows named",
      { ...common, scenarioId: "accidental-deletion", table: "t", idColumn: "id", ids: {} },
      /Name the rows/,
    ],
    [
      "a reversed range",
      { ...common, scenarioId: "accidental-deletion", table: "t", idColumn: "id", ids: { from: 9, to: 1 } },
      /"from" is after/,
    ],
    [
      "no table",
      { ...common, scenarioId: "accidental-deletion", table: " ", idColumn: "id", ids: { list: [1] } },
      /Name the table/,
    ],
    [
      "a health URL that is not http",
      { ...common, scenarioId: "infrastructure-loss", healthUrls: ["file:///etc/passwd"] },
      /Only http and https/,
    ],
    [
      "a health URL that is not a URL",
      { ...common, scenarioId: "infrastructure-loss", healthUrls: ["not a url"] },
      /Not a URL/,
    ],
    [
      "the maintenance database is the target",
      { ...common, scenarioId: "database-corruption", options: { maintenanceDatabase: "amani" } },
      /maintenance database/,
    ],
  ])("refuses %s with a UserError", (_name, input, message) => {
    let err: unknown;
    try {
      planFor(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
  });

  test("the migration commands are the database's own (alembic by default); nothing runs them", () => {
    const commands = (input: PlanInput) => {
      const plan = planFor(input);
      const of = (key: string) => plan.steps.find((s) => s.key === key);
      // Manual steps only: the runner never executes a manual step's command.
      for (const key of ["run-migrations", "try-downgrade"]) if (of(key)) expect(of(key)?.kind).toBe("manual");
      return { upgrade: of("run-migrations")?.command, downgrade: of("try-downgrade")?.command };
    };
    expect(commands(inputs["failed-migration"] as PlanInput)).toEqual({
      upgrade: ["alembic upgrade head"],
      downgrade: ["alembic downgrade -1"],
    });
    const flyway = {
      ...common.target,
      migrationUpgradeCommand: "flyway -configFiles=prod.conf migrate",
      migrationDowngradeCommand: "flyway undo",
    };
    expect(commands({ ...common, target: flyway, scenarioId: "failed-migration" })).toEqual({
      upgrade: ["flyway -configFiles=prod.conf migrate"],
      downgrade: ["flyway undo"],
    });
    expect(commands({ ...common, target: flyway, scenarioId: "database-corruption" }).upgrade).toEqual([
      "flyway -configFiles=prod.conf migrate",
    ]);
    expect(commands({ ...common, target: flyway, scenarioId: "infrastructure-loss", healthUrls: [] }).upgrade).toEqual([
      "flyway -configFiles=prod.conf migrate",
    ]);
    // An empty setting falls back to the default rather than showing an empty command.
    expect(
      commands({
        ...common,
        target: { ...common.target, migrationUpgradeCommand: " " },
        scenarioId: "database-corruption",
      }).upgrade,
    ).toEqual(["alembic upgrade head"]);
  });

  test("before the switch-over, the plan says the old copy will be kept (not that it is)", () => {
    for (const id of ["database-corruption", "failed-migration"]) {
      const plan = planFor(inputs[id] as PlanInput);
      const before = plan.steps.slice(0, plan.steps.findIndex((s) => s.key === "switch-over") + 1);
      const texts = before.map((s) => `${s.title} ${s.description}`).join("\n");
      expect(texts).not.toMatch(/\bis kept as\b|\bkept as amani_before/);
      expect(plan.steps.find((s) => s.key === "confirm-switch-over")?.description).toContain(
        "will be renamed to amani_before_20250304050607",
      );
    }
  });

  test("the wizard's text fields and a stored run's parsed input give the same plan", () => {
    const show = (p: ReturnType<typeof planFor>) =>
      JSON.stringify(p.steps.map((s) => [s.key, s.title, s.command, s.description]));
    const fromText = planFor({
      ...common,
      scenarioId: "accidental-deletion",
      table: "public.transactions",
      idColumn: "",
      ids: "100-199",
    });
    expect(show(fromText)).toBe(show(planFor(inputs["accidental-deletion"] as PlanInput)));
    const urls = planFor({
      ...common,
      scenarioId: "infrastructure-loss",
      healthUrls: "https://app.example.test/health\n",
    });
    expect(show(urls)).toBe(show(planFor(inputs["infrastructure-loss"] as PlanInput)));
  });

  test.each([
    ["1); DROP TABLE users; --", /"1\)" is not an id/],
    ["5, 9 'x'", /"'x'" is not an id/],
    ["", /Name the deleted rows' ids/],
  ])("deletion ids %j from the wizard are refused with a message", (ids, message) => {
    expect(() =>
      planFor({ ...common, scenarioId: "accidental-deletion", table: "public.transactions", idColumn: "id", ids }),
    ).toThrow(message);
  });

  test("health URLs are shown without their credentials", () => {
    const plan = planFor({
      ...common,
      scenarioId: "infrastructure-loss",
      healthUrls: ["https://user:pw-secret@app.example.test/ready"],
    });
    expect(JSON.stringify(plan.summary)).not.toContain("pw-secret");
  });
});

describe("names", () => {
  test("restoreTimestamp is UTC YYYYMMDDHHMMSS", () => {
    expect(restoreTimestamp(new Date("2025-12-31T23:59:58.999Z"))).toBe("20251231235958");
  });

  test.each([
    ["amani", "amani_lifeboat_20250101020304", "amani_before_20250101020304"],
    ["with space", "with space_lifeboat_20250101020304", "with space_before_20250101020304"],
  ])("%s", (db, scratch, before) => {
    expect(scratchDatabaseName(db, "20250101020304")).toBe(scratch);
    expect(oldCopyName(db, "20250101020304")).toBe(before);
  });

  test("long and multibyte names stay within 63 bytes, distinct and recognisable", () => {
    const a = "ü".repeat(31) + "a"; // 63 bytes
    const b = "ü".repeat(31) + "b";
    for (const [fn, pattern] of [
      [scratchDatabaseName, SCRATCH_NAME_PATTERN],
      [oldCopyName, OLD_COPY_NAME_PATTERN],
    ] as const) {
      const na = fn(a, "20250101020304");
      const nb = fn(b, "20250101020304");
      expect(Buffer.byteLength(na)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
      expect(na).not.toBe(nb);
      expect(na).toMatch(pattern);
      expect(na.startsWith("üüü")).toBe(true);
      expect(na).not.toContain("\uFFFD");
    }
  });

  test("truncateUtf8 cuts on character boundaries", () => {
    expect(truncateUtf8("aü", 2)).toBe("a");
    expect(truncateUtf8("aü", 3)).toBe("aü");
  });
});

describe("rows to copy back", () => {
  test("ids reach the SQL only as hex or as numbers", () => {
    // checkSelection refuses such an id; selectionWhere would still carry it only as hex.
    expect(() => checkSelection({ list: ["1'); DROP TABLE users; --"] })).toThrow(UserError);
    const where = selectionWhere(`i"d`, "bigint", { list: ["1'); DROP TABLE users; --", 7], from: -5, to: 10 });
    expect(where).not.toContain("DROP TABLE");
    expect(where).toContain(`"i""d" IN (SELECT v::bigint FROM jsonb_array_elements_text(convert_from(decode('`);
    expect(where).toContain(`("i""d" >= -5 AND "i""d" <= 10)`);
    expect(() => selectionWhere("id", "bigint", { from: 10.5 })).toThrow();
  });

  test("textLiteral has no quotes or backslashes to escape", () => {
    expect(textLiteral(`a'b\\c`)).toBe(
      `convert_from(decode('${Buffer.from(`a'b\\c`).toString("hex")}', 'hex'), 'UTF8')`,
    );
  });

  test.each([[{ list: [Number.NaN] }], [{ list: [""] }], [{ from: Number.POSITIVE_INFINITY }]])(
    "checkSelection refuses %j",
    (sel) => {
      expect(() => checkSelection(sel)).toThrow(UserError);
    },
  );
});

test("countProblems names each table and both counts", () => {
  const expected = [
    { schema: "public", name: "users", rows: 1000 },
    { schema: "public", name: "projects", rows: 400 },
  ];
  expect(
    countProblems(
      [
        { schema: "public", name: "users", rows: 999 },
        { schema: "public", name: "extra", rows: 1 },
      ],
      expected,
    ),
  ).toEqual([
    "public.users has 999 rows, the backup 1,000",
    "public.projects is missing (the backup has 400 rows)",
    "public.extra (1 rows) is not in the backup",
  ]);
});
