import type { Plan } from "@/lib/runner/types";

// The plan of the kill test (lib/runner/kill.test.ts), built the same way by the child process
// that is killed and by the test process that resumes the run: the steps (and their exact
// commands) must be the confirmed ones for the runner to execute them.

export type KillPlanHooks = {
  download: () => Promise<unknown>;
  /** The child's never settles; the resuming test's completes. */
  restore: (log: (text: string) => void) => Promise<unknown>;
};

export function killPlan(hooks: KillPlanHooks): Plan {
  return {
    scenarioId: "corruption",
    scenarioVersion: 1,
    summary: { target: "amani", purpose: "kill test" },
    steps: [
      {
        key: "download",
        title: "Download the backup",
        kind: "automatic",
        command: null,
        description: "Fetches the backup.",
        run: () => hooks.download(),
      },
      {
        key: "restore",
        title: "Restore into a scratch database",
        kind: "automatic",
        command: ["pg_restore", "--exit-on-error", "--dbname", "amani_lifeboat_test", "--", "/tmp/amani.dump"],
        description: "Restores the backup.",
        run: (ctx) => hooks.restore((text) => ctx.log(text)),
      },
      {
        key: "verify",
        title: "Verify",
        kind: "automatic",
        command: null,
        description: "Counts rows.",
        run: async (ctx) => ({
          verdict: `verified after ${String((ctx.results.download as { from?: string } | null)?.from)}`,
        }),
      },
    ],
  };
}
