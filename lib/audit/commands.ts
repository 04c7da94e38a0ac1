import "server-only";
import { z } from "zod";
import { defineCommand } from "@/lib/actions/define-command";
import { verifyAuditChain } from "@/lib/audit/chain";
import { db } from "@/lib/db";

/**
 * Recomputes the whole chain, as `npm run audit:verify` does. A command, not a query, because
 * the check itself is evidence: it is recorded, with its outcome, after the events it checked.
 */
export const verifyAuditChainCommand = defineCommand({
  name: "audit.verify-chain",
  role: "admin",
  input: z.object({}),
  handler: () => verifyAuditChain(db),
  audit: {
    action: "audit.verify_chain",
    targetType: "audit",
    detail: (_, r) =>
      r.ok
        ? { ok: true, events: r.count, headSeq: r.head?.seq ?? null }
        : { ok: false, events: r.count, brokenSeq: r.broken.seq, reason: r.broken.reason },
  },
});
