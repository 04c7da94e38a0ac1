import { describe, expect, test } from "vitest";
import { db } from "@/lib/db";
import { scheduleDrill } from "@/lib/drills/mutations";
import { buildPlan, planFor, runbookPlan, type PlanInput, type RunbookDatabase } from "@/lib/restores/plans";
import { pitrBackupSource, RUNBOOK_PITR, type PitrSource } from "@/lib/restores/pitr-source";
import type { Plan } from "@/lib/runner/types";
import { commandText } from "./command-text";
import { headSourceOf } from "@/lib/postgres/head-query";
import { newestUsable } from "./define";
import { SCENARIO_IDS, SCENARIOS, scenarioById, type ScenarioId } from "./registry";
import { sampleManifest as manifest, untouchableStorage as untouchable } from "@/lib/restores/plan-test-fixtures";

// One definition per scenario: the runbook (and its print view), the drill checklist and the
// plan that really runs are the same steps, in the same order, with the same version.

const target: RunbookDatabase = {
  name: "Amani staging",
  environment: "staging",
  host: "db.internal",
  port: 5432,
  user: "lifeboat",
  dbName: "amani_staging",
  migrationHeadKind: "flyway",
  migrationUpgradeCommand: "flyway -configFiles=staging.conf migrate",
  migrationDowngradeCommand: "flyway -configFiles=staging.conf undo",
};

/** A run of the scenario on `target`: the preview's own input where it is valid, real values where it is not. */
function realPlan(id: ScenarioId): Plan {
  const common = {
    target: {
      name: target.name,
      environment: "staging" as const,
      conn: {
        host: target.host,
        port: target.port,
        user: target.user,
        password: "pw-not-shown",
        database: target.dbName,
      },
      migrationHead: headSourceOf(target),
      migrationUpgradeCommand: target.migrationUpgradeCommand,
      migrationDowngradeCommand: target.migrationDowngradeCommand,
    },
    backup: {
      storage: untouchable,
      key: "amani/amani_backup_20250101_020000.dump",
      size: 1234,
      format: "custom" as const,
      manifest,
      locationName: "S3",
    },
    now: new Date("2025-03-04T05:06:07Z"),
  };
  const inputs: Record<ScenarioId, PlanInput> = {
    "database-corruption": { ...common, scenarioId: "database-corruption" },
    "failed-migration": { ...common, scenarioId: "failed-migration" },
    // The runbook's table placeholder is a valid (quoted) name, so titles can be compared as they are.
    "accidental-deletion": {
      ...common,
      scenarioId: "accidental-deletion",
      table: '"<schema>"."<table>"',
      idColumn: "<id column>",
      ids: "100-250",
    },
    "infrastructure-loss": {
      ...common,
      scenarioId: "infrastructure-loss",
      healthUrls: ["https://app.example.test/health"],
    },
  };
  return planFor(inputs[id]);
}

/** What a run has and a runbook writes as a placeholder: the restore's time and its private folder. */
function placeholders(text: string): string {
  return text
    .replace(
      /decode\('([0-9a-f]+)', 'hex'\)/g,
      (_m, hex: string) => `decode('${Buffer.from(hex, "hex").toString()}', 'hex')`,
    )
    .replace(/20250304050607/g, "<ts>")
    .replace(/lifeboat-restore-[0-9a-f]{16}/g, "lifeboat-restore-<id>");
}

const shape = (plan: Pick<Plan, "steps">) =>
  plan.steps.map((s) => ({
    key: s.key,
    title: placeholders(s.title),
    kind: s.kind,
    command: commandText(s.kind, s.command?.map(placeholders) ?? null),
  }));

describe("the scenario registry", () => {
  test("ids are unique, versions have a changelog line, numbers follow the guide", () => {
    expect(new Set(SCENARIO_IDS).size).toBe(SCENARIOS.length);
    expect(SCENARIOS.map((s) => s.meta.number)).toEqual([1, 2, 3, 4]);
    for (const s of SCENARIOS) {
      expect(s.version).toBe(s.id === "accidental-deletion" ? 3 : s.id === "infrastructure-loss" ? 3 : 4);
      expect(s.changelog.find((c) => c.version === 2)?.change).toMatch(/lists exactly the steps that run/);
      expect(s.changelog.find((c) => c.version === s.version)?.change.length).toBeGreaterThan(20);
    }
  });

  test.each(SCENARIO_IDS)(
    "%s: the runbook's steps are the plan's steps (keys, titles, kinds, commands, order), same version",
    (id) => {
      const runbook = runbookPlan(id, target);
      const plan = realPlan(id);
      expect(runbook.scenarioVersion).toBe(plan.scenarioVersion);
      expect(plan.scenarioVersion).toBe(scenarioById(id)?.version);
      expect(shape(runbook)).toEqual(shape(plan));
      // Without a database the runbook has placeholders, and the same steps.
      const generic = runbookPlan(id);
      expect(generic.steps.map((s) => [s.key, s.kind])).toEqual(plan.steps.map((s) => [s.key, s.kind]));
      const named = (t: string) => t.replaceAll("amani_staging", "<db>");
      expect(generic.steps.map((s) => s.title)).toEqual(runbook.steps.map((s) => named(s.title)));
      // A runbook's plan has nothing to run.
      expect(runbook.steps.every((s) => s.run === undefined)).toBe(true);
    },
  );

  const PITR_IDS = SCENARIOS.filter((s) => s.offersPitr).map((s) => s.id);

  test("point-in-time recovery is offered wherever a dump would replace or refill the database", () => {
    expect(PITR_IDS).toEqual(["database-corruption", "accidental-deletion", "failed-migration"]);
    expect(() => runbookPlan("infrastructure-loss", target, { pitr: true }).steps).not.toThrow();
    // A scenario without one shows its dump steps.
    expect(runbookPlan("infrastructure-loss", target, { pitr: true })).toEqual(
      runbookPlan("infrastructure-loss", target),
    );
  });

  test.each(PITR_IDS)(
    "%s with point-in-time recovery: the runbook's steps are the plan's steps, same version",
    (id) => {
      const runbook = runbookPlan(id, target, { pitr: true });
      const pitr: PitrSource = {
        ...RUNBOOK_PITR,
        databaseId: "db1",
        stanza: "<stanza>",
        baseBackup: { label: "<base backup>", type: "full", stoppedAt: "2025-03-04T01:00:00.000Z" },
      };
      const base = realPlan(id);
      const common = {
        target: {
          name: target.name,
          environment: "staging" as const,
          conn: { host: target.host, port: target.port, user: target.user, database: target.dbName },
          migrationHead: headSourceOf(target),
          migrationUpgradeCommand: target.migrationUpgradeCommand,
          migrationDowngradeCommand: target.migrationDowngradeCommand,
        },
        backup: pitrBackupSource(pitr),
        now: new Date("2025-03-04T05:06:07Z"),
        pitr,
      };
      const own =
        id === "accidental-deletion" ? { table: '"<schema>"."<table>"', idColumn: "<id column>", ids: "100-250" } : {};
      const plan = buildPlan(id, common, own);
      expect(plan.scenarioVersion).toBe(base.scenarioVersion);
      expect(shape(runbook)).toEqual(shape(plan));
      const keys = plan.steps.map((s) => s.key);
      expect(keys.slice(keys.indexOf("preflight"), keys.indexOf("preflight") + 2)).toEqual([
        "preflight",
        "restore-to-moment",
      ]);
      expect(keys).toContain("stop-recovery");
      // Never a download of a dump: the recovered database is the source.
      expect(keys).not.toContain("download");
      expect(keys).toEqual(
        id === "accidental-deletion"
          ? expect.arrayContaining(["preview-rows", "confirm-copy-back", "copy-back"])
          : expect.arrayContaining(["dump-recovered", "restore-scratch", "confirm-switch-over", "switch-over"]),
      );
      // The runbook's restore command names the placeholders; the plan's the chosen base backup.
      const restore = plan.steps.find((s) => s.key === "restore-to-moment");
      expect(restore?.command).toContain("--set=<base backup>");
      expect(runbook.steps.every((s) => s.run === undefined)).toBe(true);
    },
  );

  test.each(SCENARIO_IDS)(
    "%s: a scheduled drill's checklist is the runbook's steps, with the runbook's version",
    async (id) => {
      const database = await db.database.create({
        data: { ...target, name: `registry-${id}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}` },
      });
      const actor = { id: "u", email: "registry@example.test", name: "Registry", role: "operator" as const };
      const { drillId } = await scheduleDrill(
        {
          scenarioId: id,
          databaseId: database.id,
          scheduledAt: "2026-12-01T09:00",
          participants: [],
          notes: "",
          allowProduction: false,
        },
        actor,
      );
      const drill = await db.drill.findUniqueOrThrow({
        where: { id: drillId },
        include: { steps: { orderBy: { index: "asc" } } },
      });
      const runbook = runbookPlan(id, { ...target, name: database.name });
      expect(drill.steps.map((s) => ({ key: s.key, title: s.title, kind: s.kind }))).toEqual(
        runbook.steps.map((s) => ({ key: s.key, title: s.title, kind: s.kind })),
      );
      expect(drill.scenarioVersion).toBe(runbook.scenarioVersion);
      expect(drill.scenarioVersion).toBe(realPlan(id).scenarioVersion);
    },
  );

  test("runbooks show the database's migration commands, and alembic's without one", () => {
    const commands = (plan: Plan) =>
      plan.steps
        .filter((s) => ["run-migrations", "try-downgrade"].includes(s.key))
        .map((s) => [s.key, s.kind, s.command]);
    expect(commands(runbookPlan("failed-migration", target))).toEqual([
      ["try-downgrade", "manual", ["flyway -configFiles=staging.conf undo"]],
      ["run-migrations", "manual", ["flyway -configFiles=staging.conf migrate"]],
    ]);
    expect(commands(runbookPlan("failed-migration"))).toEqual([
      ["try-downgrade", "manual", ["alembic downgrade -1"]],
      ["run-migrations", "manual", ["alembic upgrade head"]],
    ]);
    const text = JSON.stringify(runbookPlan("infrastructure-loss", target).steps);
    expect(text).toContain("flyway -configFiles=staging.conf migrate");
    expect(text).not.toContain("alembic");
  });

  test("the placeholders are what the runbook shows where a run has names", () => {
    const plan = runbookPlan("database-corruption");
    const all = JSON.stringify(plan.steps.map((s) => [s.title, s.description, s.command]));
    expect(all).toContain("<db>_lifeboat_<ts>");
    expect(all).toContain("<db>_before_<ts>");
    expect(all).toContain("<backup key>");
    expect(all).not.toMatch(/NaN|undefined/);
  });

  test.each([
    ["database-corruption", "verified-s3", ["anomalous", "unverified-local", "verified-s3"]],
    ["accidental-deletion", "unverified-local", ["anomalous", "unverified-local", "verified-s3"]],
    ["failed-migration", "unverified-local", ["anomalous", "unverified-local", "verified-s3"]],
    ["infrastructure-loss", "verified-s3", ["anomalous", "verified-s3", "unverified-local"]],
  ] as const)("%s suggests %s", (id, suggested, order) => {
    const candidates = [
      { id: "anomalous", verificationState: "verified", sizeAnomaly: "small", locationKind: "s3" },
      { id: "unverified-local", verificationState: "unverified", sizeAnomaly: null, locationKind: "local" },
      { id: "verified-s3", verificationState: "verified", sizeAnomaly: null, locationKind: "s3" },
    ];
    const r = scenarioById(id)!.suggestBackup(candidates);
    expect(r.suggested?.id).toBe(suggested);
    expect(r.candidates.map((c) => c.id)).toEqual(order);
    expect(newestUsable([], true)).toBeNull();
  });
});
