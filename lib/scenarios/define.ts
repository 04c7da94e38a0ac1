import type { z } from "zod";
import type { PlannedStep } from "@/lib/runner/types";
import type { RestoreContext } from "@/lib/restores/steps";

// The shape of one disaster scenario: its runbook text, its version, the input it needs,
// which backup it suggests and the plan that really runs. The runbook page, its print view,
// the drill checklist and the wizard all render the steps of `plan`, so what a runbook says
// is what a restore does. Changing a scenario's steps (keys, order, kinds, titles, commands)
// means raising its version and adding a changelog line: a drill of the old version then no
// longer counts for the new one ("needs re-drill").

/** Which of the database's RTO targets applies. */
export type RtoKey = "rtoCorruptionMinutes" | "rtoInfraLossMinutes" | "rtoDcFailureMinutes";

export type ScenarioMeta = {
  /** The number in the Backup and Disaster Recovery Guide (also the display order). */
  number: number;
  title: string;
  summary: string;
  symptoms: string[];
  rto: RtoKey;
  expectedDowntime: string;
  /** Which backup the wizard suggests, in words (the rule itself is `suggestBackup`). */
  suggestedBackup: string;
};

/**
 * The application's migration tool, per database. These are text for a person to run at a
 * manual step: Lifeboat shows them and never executes them.
 */
export type MigrationCommands = { upgrade: string; downgrade: string };

export type ScenarioPlanContext<I> = {
  rc: RestoreContext;
  input: I;
  migrations: MigrationCommands;
  /**
   * A runbook or drill checklist: the names are placeholders (`<db>`, `<db>_lifeboat_<ts>`)
   * and the input is the scenario's `previewInput`, so inputs are not checked.
   */
  preview: boolean;
};

/** What the suggestion rule reads of a backup candidate. */
export type BackupFacts = { verificationState: string; sizeAnomaly: string | null; locationKind: string };

/** Which backups fit the scenario at all (applied when the wizard queries the catalog). */
export type BackupFilter = {
  /** Only backups of this kind (e.g. pre_migration). */
  kind?: "pre_migration";
  /** Only backups taken before the time the operator gives (when the rows were deleted). */
  beforeGivenTime?: boolean;
};

export type ScenarioDefinition<Id extends string, S extends z.ZodType> = {
  id: Id;
  version: number;
  changelog: { version: number; date: string; change: string }[];
  meta: ScenarioMeta;
  /** The scenario's own input (wizard fields, also stored on the run to rebuild the plan). */
  inputSchema: S;
  /**
   * The scenario can restore to a moment from the database's WAL archive instead of a dump
   * (offered when the database has one): its `plan` then orders the point-in-time steps.
   */
  offersPitr?: boolean;
  /** Which of the wizard's scenario fields the form shows (their names match inputSchema's). */
  wizardFields?: "deleted-rows" | "health-urls";
  /** The input a runbook's or a drill's plan is built with: placeholders. */
  previewInput: z.output<S>;
  backups: BackupFilter;
  /**
   * Orders the usable candidates (newest first on entry) and picks the suggested one. Method
   * syntax on purpose: the registry holds scenarios of different input types in one list.
   */
  suggestBackup<C extends BackupFacts>(candidates: readonly C[]): { candidates: C[]; suggested: C | null };
  /** The steps (and the scenario's own summary facts) of one run. Pure: no I/O. */
  plan(ctx: ScenarioPlanContext<z.output<S>>): { steps: PlannedStep[]; summary?: Record<string, unknown> };
};

export function defineScenario<const Id extends string, S extends z.ZodType>(
  def: ScenarioDefinition<Id, S>,
): ScenarioDefinition<Id, S> {
  if (!def.changelog.some((c) => c.version === def.version)) {
    throw new Error(`scenario ${def.id}: version ${def.version} has no changelog line`);
  }
  return def;
}

/** Newest first, skipping size anomalies; `verifiedFirst` prefers a verified backup. */
export function newestUsable<C extends BackupFacts>(candidates: readonly C[], verifiedFirst: boolean): C | null {
  const normal = candidates.filter((c) => !c.sizeAnomaly);
  return (verifiedFirst ? normal.find((c) => c.verificationState === "verified") : undefined) ?? normal[0] ?? null;
}
