import "server-only";
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
