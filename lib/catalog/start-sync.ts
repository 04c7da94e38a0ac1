import "server-only";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { beginSync, isSyncRunning, SyncBusyError } from "@/lib/catalog/sync";

// Called only through lib/actions/safe-action.ts (operator role already required).

export async function startLocationSync(input: { id: string }, actor: SessionUser) {
  const location = await db.location.findUnique({ where: { id: input.id } });
  if (!location) throw new NotFoundError("The location");
  try {
    const { runId } = await beginSync(location.id, "manual");
    await recordAudit(actor, { action: "location.sync", targetType: "location", targetId: location.id, detail: { name: location.name } });
    return { runId };
  } catch (e) {
    if (e instanceof SyncBusyError) throw new UserError(`A sync of ${location.name} is already running; its progress is shown here.`, 409);
    throw e;
  }
}

export async function startAllSyncs(_input: unknown, actor: SessionUser) {
  const started: string[] = [];
  for (const l of await db.location.findMany({ select: { id: true, name: true } })) {
    if (isSyncRunning(l.id)) continue;
    try {
      await beginSync(l.id, "manual");
      started.push(l.name);
    } catch (e) {
      if (!(e instanceof SyncBusyError)) throw e;
    }
  }
  await recordAudit(actor, { action: "location.sync_all", targetType: "location", detail: { started } });
  return { started };
}
