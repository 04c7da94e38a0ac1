import "server-only";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { beginSync, isSyncRunning, SyncBusyError } from "@/lib/catalog/sync";

// Called only through lib/locations/commands.ts and lib/backups/commands.ts (operator role, audit event).

export async function startLocationSync(input: { id: string }) {
  const location = await db.location.findUnique({ where: { id: input.id } });
  if (!location) throw new NotFoundError("The location");
  try {
    const { runId } = await beginSync(location.id, "manual");
    return { runId, name: location.name };
  } catch (e) {
    if (e instanceof SyncBusyError)
      throw new UserError(`A sync of ${location.name} is already running; its progress is shown here.`, 409);
    throw e;
  }
}

export async function startAllSyncs() {
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
  return { started };
}
