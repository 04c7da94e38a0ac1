import { z } from "zod";
import { manual, migrationHeadsStep } from "@/lib/restores/steps";
import { defineScenario, newestUsable } from "./define";
import { pitrSafeRestoreSteps } from "./pitr-restore";
import { safeRestoreSteps } from "./safe-restore";

export const failedMigration = defineScenario({
  id: "failed-migration",
  version: 4,
  changelog: [
    { version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." },
    {
      version: 2,
      date: "2026-12-01",
      change:
        "The runbook now lists exactly the steps that run (compare the migration heads first, then try the downgrade); the migration commands are the database's own.",
    },
    {
      version: 3,
      date: "2026-12-02",
      change:
        "Owners and grants are restored as they were (every role the backup names must exist first), and a new step checks that each role can still read every table it could read in the backup.",
    },
    {
      version: 4,
      date: "2026-12-02",
      change:
        "Point-in-time recovery from the database's WAL archive as a choice (for example to the restore point made before the migration): restore to the moment in a recovery instance, dump the recovered database, then the same scratch → confirm → switch-over steps.",
    },
  ],
  meta: {
    number: 4,
    title: "Failed migration",
    summary:
      "A schema migration failed half-way. Compare the migration heads, try the migration tool's downgrade; if that fails, restore the newest pre-migration backup.",
    symptoms: [
      "The deploy's migration step failed",
      "The migration table shows a revision the code does not know",
      "Tables or columns are half-changed",
    ],
    rto: "rtoCorruptionMinutes",
    expectedDowntime: "15–30 minutes",
    suggestedBackup: "the newest pre-migration backup of the target database",
  },
  inputSchema: z.object({}),
  previewInput: {},
  offersPitr: true,
  backups: { kind: "pre_migration" },
  suggestBackup: (candidates) => ({ candidates: [...candidates], suggested: newestUsable(candidates, false) }),
  plan: ({ rc, migrations }) => ({
    steps: rc.pitr
      ? [
          manual(
            "try-downgrade",
            "Try the migration tool's downgrade first",
            "If the migration tool can undo the failed revision, that is faster than a restore: then cancel this run. Otherwise tick this step to restore the database to the moment chosen.",
            [migrations.downgrade],
          ),
          ...pitrSafeRestoreSteps(rc, migrations),
        ]
      : [
          migrationHeadsStep(rc),
          manual(
            "try-downgrade",
            "Try the migration tool's downgrade first",
            "If the migration tool can undo the failed revision, that is faster than a restore: then cancel this run. Otherwise tick this step to restore the pre-migration backup.",
            [migrations.downgrade],
          ),
          ...safeRestoreSteps(rc, migrations),
        ],
    summary: { scratchDatabase: rc.scratch, oldCopy: rc.oldCopy },
  }),
});
