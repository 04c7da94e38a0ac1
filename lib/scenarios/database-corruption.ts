import { z } from "zod";
import { defineScenario, newestUsable } from "./define";
import { pitrSafeRestoreSteps } from "./pitr-restore";
import { safeRestoreSteps } from "./safe-restore";

export const databaseCorruption = defineScenario({
  id: "database-corruption",
  version: 4,
  changelog: [
    { version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." },
    {
      version: 2,
      date: "2026-12-01",
      change:
        "The runbook now lists exactly the steps that run, with their commands; the migration command is the database's own.",
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
        "Point-in-time recovery from the database's WAL archive as a choice: restore to a moment in a recovery instance, dump the recovered database, then the same scratch → confirm → switch-over steps.",
    },
  ],
  meta: {
    number: 1,
    title: "Database corruption",
    summary:
      "The database is damaged (corrupt pages, a dropped table, an unusable state). Restore the newest verified backup into a scratch database, verify it, then switch it into place.",
    symptoms: [
      "Queries fail with 'invalid page' or 'could not read block' errors",
      "A table or schema is missing",
      "The application reports data integrity errors",
    ],
    rto: "rtoCorruptionMinutes",
    expectedDowntime: "15–30 minutes",
    suggestedBackup: "the newest verified backup of the target database",
  },
  inputSchema: z.object({}),
  previewInput: {},
  offersPitr: true,
  backups: {},
  suggestBackup: (candidates) => ({ candidates: [...candidates], suggested: newestUsable(candidates, true) }),
  plan: ({ rc, migrations }) => ({
    steps: rc.pitr ? pitrSafeRestoreSteps(rc, migrations) : safeRestoreSteps(rc, migrations),
    summary: { scratchDatabase: rc.scratch, oldCopy: rc.oldCopy },
  }),
});
