import "server-only";
import { db } from "@/lib/db";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";

// A verification that fails raises an incident for that backup; the backup passing a later
// verification resolves it. A verification that could not read the backup says nothing about
// the backup, so it neither raises nor resolves.

export async function alertOnVerification(input: {
  backup: { id: string; key: string; databaseId: string | null; locationName: string };
  ok: boolean;
  summary: string;
  now?: Date;
}): Promise<void> {
  const ref = { event: "verification_failed" as const, databaseId: input.backup.databaseId, subject: input.backup.id };
  if (input.ok) {
    await resolveAlert({
      ...ref,
      now: input.now,
      resolution: `The backup ${input.backup.key} in ${input.backup.locationName} passed verification: ${input.summary}`,
    });
    return;
  }
  await raiseAlert({
    ...ref,
    now: input.now,
    link: `/backups/${input.backup.id}`,
    message: `The backup ${input.backup.key} in ${input.backup.locationName} failed verification: ${input.summary} Do not restore from it; check the backup job that wrote it.`,
  });
}

/**
 * The sweep: an open verification incident whose backup is gone from the catalog, vanished from
 * its location, or verified since, is over (a backup deleted by retention or by hand cannot pass).
 */
export async function reconcileVerificationAlerts(now?: Date): Promise<void> {
  const open = await db.alertIncident.findMany({
    where: { event: "verification_failed", openKey: { not: null } },
    select: { databaseId: true, subject: true },
  });
  for (const incident of open) {
    if (!incident.subject) continue;
    const backup = await db.backup.findUnique({
      where: { id: incident.subject },
      select: { key: true, vanishedAt: true, verificationState: true },
    });
    const resolution = !backup
      ? "The backup was removed from the catalog."
      : backup.vanishedAt
        ? `The backup ${backup.key} is no longer in its location.`
        : backup.verificationState === "verified"
          ? `The backup ${backup.key} passed a verification since.`
          : null;
    if (resolution)
      await resolveAlert({
        event: "verification_failed",
        databaseId: incident.databaseId,
        subject: incident.subject,
        now,
        resolution,
      });
  }
}
