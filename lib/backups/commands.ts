import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { startVerification } from "@/lib/backups/verify-job";
import { startAllSyncs } from "@/lib/catalog/start-sync";

export const verifyBackupCommand = defineCommand({
  name: "backups.verify",
  role: "operator",
  input: z.object({ id: z.string().min(1) }),
  handler: (input, user) => startVerification(input, user),
  audit: {
    action: "backup.verify",
    targetType: "backup",
    targetId: (input) => input.id,
    detail: (_, r) => ({ key: r.key, location: r.location }),
  },
});

export const syncAllCommand = defineCommand({
  name: "backups.sync-all",
  role: "operator",
  input: z.object({}).passthrough(),
  handler: () => startAllSyncs(),
  audit: { action: "location.sync_all", targetType: "location", detail: (_, r) => ({ started: r.started }) },
});
