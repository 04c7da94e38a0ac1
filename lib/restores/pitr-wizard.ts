import "server-only";
import { requireRole } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { readRecoverableWindow } from "@/lib/pitr/window";

// The wizard's reads for "restore to a moment": whether the database has a WAL archive, its
// recoverable window read now (the same reading the plan checks the moment against), its base
// backups and the restore points Lifeboat created.

export type PitrWizardFacts =
  | { archive: false }
  | {
      archive: true;
      stanza: string;
      /** Why the window could not be read (the archive is listed, but pgBackRest failed). */
      error: string | null;
      from: string | null;
      newestRecoverable: string | null;
      newestRecoverableLsn: string | null;
      checkedAt: string;
      gaps: number;
      baseBackups: { label: string; type: string; stoppedAt: string }[];
      restorePoints: { name: string; lsn: string; createdAt: string }[];
    };

/** Whether the database has a WAL archive (no pgBackRest call: the wizard's source switch). */
export async function hasWalArchive(databaseId: string): Promise<boolean> {
  await requireRole("operator");
  return (await db.walArchive.count({ where: { databaseId } })) > 0;
}

export async function pitrWizardFacts(databaseId: string): Promise<PitrWizardFacts> {
  await requireRole("operator");
  const archive = await db.walArchive.findUnique({ where: { databaseId } });
  if (!archive) return { archive: false };
  const points = await db.restorePoint.findMany({
    where: { databaseId },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { name: true, lsn: true, createdAt: true },
  });
  const restorePoints = points.map((p) => ({ name: p.name, lsn: p.lsn, createdAt: p.createdAt.toISOString() }));
  const base = { archive: true as const, stanza: archive.stanza, restorePoints };
  try {
    const w = await readRecoverableWindow(archive, { id: databaseId });
    return {
      ...base,
      error: null,
      from: w.from?.toISOString() ?? null,
      newestRecoverable: w.newestRecoverable?.toISOString() ?? null,
      newestRecoverableLsn: w.newestRecoverableLsn,
      checkedAt: w.checkedAt.toISOString(),
      gaps: w.gaps.length,
      baseBackups: w.baseBackups.map((b) => ({ label: b.label, type: b.type, stoppedAt: b.stoppedAt.toISOString() })),
    };
  } catch (e) {
    if (!(e instanceof UserError)) console.error("[lifeboat] reading the recoverable window:", e);
    return {
      ...base,
      error:
        e instanceof UserError ? e.message : "The WAL archive could not be read; the details are in the server log.",
      from: null,
      newestRecoverable: null,
      newestRecoverableLsn: null,
      checkedAt: new Date().toISOString(),
      gaps: 0,
      baseBackups: [],
    };
  }
}
