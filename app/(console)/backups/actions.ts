"use server";

import { z } from "zod";
import { action } from "@/lib/actions/safe-action";
import { startVerification } from "@/lib/backups/verify-job";
import { startAllSyncs } from "@/lib/catalog/start-sync";

export const verifyBackupAction = action("operator", z.object({ id: z.string().min(1) }), startVerification);

export const syncAllAction = action("operator", z.object({}).passthrough(), startAllSyncs);
