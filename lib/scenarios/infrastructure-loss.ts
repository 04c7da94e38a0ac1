import { z } from "zod";
import { describeConnection } from "@/lib/postgres/connection";
import { checkHealthUrls, displayUrl } from "@/lib/restores/health";
import {
  createTargetStep,
  downloadStep,
  healthCheckStep,
  manual,
  preflightStep,
  removeDownloadStep,
  restoreTargetStep,
  safetyStep,
  verifyStep,
  verifyGrantsStep,
  verifyTargetStep,
} from "@/lib/restores/steps";
import { defineScenario, newestUsable } from "./define";
import { backupHead, runMigrationsStep } from "./safe-restore";

// The wizard sends one URL per line; a stored run holds the list.
const urlsSchema = z.preprocess(
  (value) => (typeof value === "string" ? value.split(/\s+/).filter(Boolean) : value),
  z.array(z.string().max(2000)).max(20, { message: "At most 20 health URLs." }),
);

export const infrastructureLoss = defineScenario({
  id: "infrastructure-loss",
  version: 3,
  changelog: [
    { version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." },
    {
      version: 2,
      date: "2026-12-01",
      change:
        "The runbook now lists exactly the steps that run, with their commands (migrations before the health checks); the migration command is the database's own.",
    },
    {
      version: 3,
      date: "2026-12-02",
      change:
        "Owners and grants are restored as they were (every role the backup names must exist first), and a new step checks that each role can still read every table it could read in the backup.",
    },
  ],
  meta: {
    number: 3,
    title: "Complete infrastructure loss",
    summary:
      "Servers are gone. Provision a new database server, restore the latest backup from cloud storage into it, deploy the application, switch DNS and monitor.",
    symptoms: [
      "The database server and its disks are lost",
      "The data center or region is unavailable",
      "Nothing answers at the usual addresses",
    ],
    rto: "rtoInfraLossMinutes",
    expectedDowntime: "2–4 hours",
    suggestedBackup: "the newest verified backup in a cloud location",
  },
  inputSchema: z.object({ healthUrls: urlsSchema.default([]) }),
  wizardFields: "health-urls",
  previewInput: { healthUrls: ["<health URL>", "<readiness URL>"] },
  backups: {},
  // A local folder is usually lost with the servers: cloud locations come first.
  suggestBackup: (candidates) => {
    const ordered = [...candidates].sort(
      (a, b) => Number(a.locationKind === "local") - Number(b.locationKind === "local"),
    );
    return { candidates: ordered, suggested: newestUsable(ordered, true) };
  },
  plan: ({ rc, input, migrations, preview }) => {
    const urls = preview ? input.healthUrls : checkHealthUrls(input.healthUrls);
    const note = "Nothing was restored on the new server yet.";
    return {
      steps: [
        preflightStep(rc, "new-server"),
        downloadStep(rc, note),
        verifyStep(rc, note),
        safetyStep(rc, note),
        createTargetStep(rc),
        restoreTargetStep(rc),
        verifyTargetStep(
          rc,
          `The backup is restored into ${rc.database} but does not match it: check the log before deploying.`,
          false,
        ),
        verifyGrantsStep(
          rc,
          rc.target.conn,
          `The backup is restored into ${rc.database} but its roles cannot read what they could: check the log before deploying.`,
        ),
        removeDownloadStep(rc),
        manual(
          "deploy-application",
          "Deploy the application",
          `Deploy the application to the new infrastructure with its configuration from git, pointing at ${describeConnection(rc.target.conn)}.`,
        ),
        runMigrationsStep(
          rc,
          migrations,
          `${rc.database} will be at the backup's migration head (${backupHead(rc)}): bring it to the head the deployed release expects.`,
        ),
        healthCheckStep(rc, urls),
        manual(
          "switch-dns",
          "Switch DNS",
          "Point the application's DNS names at the new infrastructure (lower the TTL first when you can).",
        ),
        manual(
          "monitor",
          "Monitor for 24–48 hours",
          "Watch error rates, latency, disk and the backups on the new infrastructure for 24 to 48 hours.",
        ),
      ],
      summary: { healthUrls: urls.map(displayUrl) },
    };
  },
});
