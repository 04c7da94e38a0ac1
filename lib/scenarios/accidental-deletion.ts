import { z } from "zod";
import { checkSelection, parseIds, parseTableName, rowSelectionSchema } from "@/lib/restores/copy-rows";
import {
  confirmation,
  copyBackStep,
  dropScratchStep,
  previewRowsStep,
  removeDownloadStep,
  untouchedNote,
} from "@/lib/restores/steps";
import { UserError } from "@/lib/errors";
import { defineScenario, newestUsable } from "./define";
import { pitrCopyBackSteps } from "./pitr-restore";
import { scratchCopySteps } from "./safe-restore";

// Ids and table names are parsed by lib/restores/copy-rows.ts (whole numbers kept exact as text,
// ranges, UUIDs and keys; quoted and unquoted names), and checked against the target and the
// backup when the plan is made (lib/restores/prepare.ts).

// The wizard sends the ids as text; a stored run holds them parsed. Both are accepted.
const idsSchema = z.preprocess((value, ctx) => {
  if (typeof value !== "string") return value;
  try {
    return parseIds(value);
  } catch (e) {
    ctx.issues.push({ code: "custom", message: e instanceof Error ? e.message : String(e), input: value });
    return z.NEVER;
  }
}, rowSelectionSchema);

export const accidentalDeletion = defineScenario({
  id: "accidental-deletion",
  version: 3,
  changelog: [
    { version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." },
    {
      version: 2,
      date: "2026-12-01",
      change:
        "The runbook now lists exactly the steps that run, with their commands (the downloaded file is removed at the end).",
    },
    {
      version: 3,
      date: "2026-12-02",
      change:
        "Point-in-time recovery from the database's WAL archive as a choice, recommended to one second before the deletion when the archive covers it: the rows are copied back from a recovery instance at that moment.",
    },
  ],
  meta: {
    number: 2,
    title: "Accidental data deletion",
    summary:
      "Rows were deleted by mistake. Restore a backup from before the deletion into a scratch database, preview the missing rows, copy only those back into production in one transaction, and drop the scratch database.",
    symptoms: [
      "Users report missing records",
      "An unintended DELETE or UPDATE shows in the logs",
      "Counts dropped suddenly",
    ],
    rto: "rtoCorruptionMinutes",
    expectedDowntime: "none for the application (30–60 minutes of work)",
    suggestedBackup: "the newest backup taken before the time the deletion happened",
  },
  inputSchema: z.object({
    /** "schema.table" or "table". */
    table: z
      .string()
      .trim()
      .min(1, { message: "Name the table the rows were deleted from, e.g. public.transactions." })
      .max(200),
    idColumn: z
      .string()
      .trim()
      .max(63, { message: "A column name has at most 63 characters." })
      .default("id")
      .transform((c) => c || "id"),
    ids: idsSchema,
  }),
  // Quoted, so that the placeholder is a table name the steps can parse.
  previewInput: { table: '"<schema>"."<table>"', idColumn: "<id column>", ids: { list: ["<ids>"] } },
  wizardFields: "deleted-rows",
  offersPitr: true,
  backups: { beforeGivenTime: true },
  suggestBackup: (candidates) => ({ candidates: [...candidates], suggested: newestUsable(candidates, false) }),
  plan: ({ rc, input, preview }) => {
    const sel = preview ? input.ids : checkSelection(input.ids);
    const { table, idColumn } = input;
    if (!preview) {
      parseTableName(table);
      if (idColumn.includes("\u0000")) throw new UserError("Name the id column of the table.");
    }
    if (rc.pitr) {
      return {
        steps: pitrCopyBackSteps(rc, table, idColumn, sel),
        summary: { table, idColumn, ids: sel },
      };
    }
    const note = untouchedNote(rc.target);
    return {
      steps: [
        ...scratchCopySteps(rc, note),
        previewRowsStep(rc, table, idColumn, sel),
        confirmation(
          "confirm-copy-back",
          `Copy the previewed rows back into ${rc.database}`,
          `Check the preview: its count and ids are exactly the rows that will be inserted into ${table} (in one transaction, ON CONFLICT DO NOTHING). Production changes only after this.`,
        ),
        copyBackStep(rc, table, idColumn),
        dropScratchStep(rc),
        removeDownloadStep(rc),
      ],
      summary: { scratchDatabase: rc.scratch, table, idColumn, ids: sel },
    };
  },
});
