import "server-only";
import { Readable } from "node:stream";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { SessionUser } from "@/lib/auth/session";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { StorageError } from "@/lib/storage/provider";

/** attachment; filename="ascii-only"; filename*=UTF-8''percent-encoded — safe for any key. */
export function contentDisposition(key: string): string {
  const base = key.split("/").pop() || "backup";
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, "_").slice(0, 200) || "backup";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base.slice(0, 500))}`;
}

/** Streams a backup through the console (storage endpoints are often private). */
export async function downloadBackup(id: string, actor: SessionUser): Promise<Response> {
  const backup = await db.backup.findUnique({ where: { id }, include: { location: true } });
  if (!backup) throw new NotFoundError("The backup");
  if (backup.vanishedAt)
    throw new UserError("This backup is no longer in its location, so it cannot be downloaded.", 410);
  try {
    const stream = await createStorage(fullConfig(backup.location)).read(backup.key);
    await recordAudit(actor, {
      action: "backup.download",
      targetType: "backup",
      targetId: backup.id,
      detail: { key: backup.key },
    });
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(backup.size),
        "content-disposition": contentDisposition(backup.key),
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    if (e instanceof StorageError)
      throw new UserError(`Could not read the backup from ${backup.location.name}: ${e.message}`, 502);
    throw e;
  }
}
