"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { BACKUP_LABEL_DISPLAY, MANUAL_BACKUP_LABELS, type BackupLabel } from "@/lib/backups/labels";
import { BACKUP_RUN_FORMATS, BACKUP_RUN_FORMAT_LABELS, type BackupRunFormat } from "@/lib/backups/backup-run-kind";
import { backUpNowAction } from "./actions";

/** Back up now (operator): a label (manual unless chosen), the location and the format; opens the run. */
export function BackUpNow({
  databaseId,
  databaseName,
  locations,
  defaultLocationId,
  defaultFormat,
}: {
  databaseId: string;
  databaseName: string;
  locations: { id: string; name: string }[];
  defaultLocationId: string | null;
  defaultFormat: BackupRunFormat;
}) {
  const router = useRouter();
  const { pending, feedback, fieldError, run } = useServerAction();

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    run(
      () =>
        backUpNowAction({
          databaseId,
          label: String(f.get("label")) as Exclude<BackupLabel, "daily">,
          locationId: String(f.get("locationId") ?? "") || undefined,
          format: String(f.get("format")) as BackupRunFormat,
        }),
      {
        onSuccess: (r) => {
          router.push(`/restores/${r.runId}`);
          return `Backup started: ${r.key}. Opening its run…`;
        },
      },
    );
  }

  if (locations.length === 0)
    return (
      <p className="text-sm text-slate-600">
        There is no storage location to back up to yet: an admin adds one in Settings → Locations.
      </p>
    );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={`Back up ${databaseName} now`}>
      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
        <Field label="Label" error={fieldError("label")}>
          <select name="label" defaultValue="manual" className={inputClass} data-testid="backup-label">
            {MANUAL_BACKUP_LABELS.map((l) => (
              <option key={l} value={l}>
                {BACKUP_LABEL_DISPLAY[l].label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="To location" error={fieldError("locationId")}>
          <select name="locationId" defaultValue={defaultLocationId ?? locations[0]?.id} className={inputClass}>
            {locations.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Format" error={fieldError("format")}>
          <select name="format" defaultValue={defaultFormat} className={inputClass}>
            {BACKUP_RUN_FORMATS.map((f) => (
              <option key={f} value={f}>
                {BACKUP_RUN_FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <p className="text-xs text-slate-600">
        Pre-migration and critical backups are never deleted automatically; scheduled ones are labelled daily.
      </p>
      <Feedback feedback={feedback} testId="back-up-now-feedback" />
      <Button type="submit" variant="primary" size="lg" loading={pending} loadingText="Starting…">
        Back up now
      </Button>
    </form>
  );
}
