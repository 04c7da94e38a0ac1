import { z } from "zod";
import { UserError } from "@/lib/errors";
import { accidentalDeletion } from "./accidental-deletion";
import { databaseCorruption } from "./database-corruption";
import { failedMigration } from "./failed-migration";
import { infrastructureLoss } from "./infrastructure-loss";
import type { ScenarioDefinition } from "./define";

// The one list of disaster scenarios, in the guide's order. Scenario ids, versions, runbook
// texts, input schemas and plans come from here only; everything else imports this list.
// Server-side only (the plans build commands); client components receive what they show as props.

export const SCENARIOS = [databaseCorruption, accidentalDeletion, infrastructureLoss, failedMigration] as const;

export type Scenario = (typeof SCENARIOS)[number];
export type ScenarioId = Scenario["id"];
export type ScenarioOf<K extends ScenarioId> = Extract<Scenario, { id: K }>;
/** The scenario's own input as the wizard sends it or a run stores it. */
export type ScenarioInput<K extends ScenarioId> = NoIndex<z.input<ScenarioOf<K>["inputSchema"]>>;
// z.object({}) infers Record<string, never>, which no object with other fields satisfies.
type NoIndex<T> = string extends keyof T ? object : T;

/** A scenario with its input type erased, for code that handles any of them. */
export type AnyScenario = ScenarioDefinition<ScenarioId, z.ZodType>;

export const SCENARIO_IDS = SCENARIOS.map((s) => s.id) as unknown as readonly [ScenarioId, ...ScenarioId[]];

export const scenarioIdSchema = z.enum(SCENARIO_IDS, { message: "Choose a scenario" });

export function isScenarioId(id: string): id is ScenarioId {
  return (SCENARIO_IDS as readonly string[]).includes(id);
}

export function scenarioById(id: string): AnyScenario | undefined {
  return (SCENARIOS as readonly AnyScenario[]).find((s) => s.id === id);
}

/** The scenario, or a UserError naming the unknown id. */
export function requireScenario(id: string): AnyScenario {
  const s = scenarioById(id);
  if (!s) throw new UserError(`Unknown scenario "${id}": choose one of ${SCENARIO_IDS.join(", ")}.`);
  return s;
}

/** The scenario's title, or the id itself for a scenario no longer in the registry. */
export function scenarioTitle(id: string): string {
  // A backup Lifeboat takes is a run too (lib/backups/backup-run-kind.ts), listed with the restores.
  return scenarioById(id)?.meta.title ?? (id === "backup" ? "Backup (Lifeboat takes it)" : id);
}

/** Parses a scenario's own input; the first problem becomes a UserError that names it. */
export function parseScenarioInput(scenario: AnyScenario, input: unknown): Record<string, unknown> {
  const r = scenario.inputSchema.safeParse(input ?? {});
  if (!r.success) throw new UserError(r.error.issues[0]?.message ?? "The scenario's input is not valid.");
  // Every inputSchema is a z.object.
  return r.data as Record<string, unknown>;
}

/** For client components: what a scenario picker shows. */
export function scenarioChoices() {
  return SCENARIOS.map((s) => ({
    id: s.id as ScenarioId,
    number: s.meta.number,
    title: s.meta.title,
    version: s.version,
  }));
}
export type ScenarioChoice = ReturnType<typeof scenarioChoices>[number];
