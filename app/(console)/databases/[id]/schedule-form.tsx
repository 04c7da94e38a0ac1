"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { BACKUP_RUN_FORMATS, BACKUP_RUN_FORMAT_LABELS, type BackupRunFormat } from "@/lib/backups/backup-run-kind";
import { DEFAULT_CRON } from "@/lib/schedules/cron";
import { deleteScheduleAction, saveScheduleAction } from "./actions";

type Schedule = {
  cron: string;
  enabled: boolean;
  format: string;
  locationId: string;
  copyLocationIds: string[];
};

/** The admin's schedule form: cron in UTC, on/off, format, location and copy locations. */
export function ScheduleForm({
  databaseId,
  schedule,
  locations,
  defaultLocationId,
}: {
  databaseId: string;
  schedule: Schedule | null;
  locations: { id: string; name: string }[];
  defaultLocationId: string | null;
}) {
  const [open, setOpen] = useState(false);
  const { pending, feedback, fieldError, run } = useServerAction();
  const remove = useServerAction();

  if (!open)
    return (
      <Button type="button" size="sm" onClick={() => setOpen(true)}>
        {schedule ? "Edit the schedule" : "Add a schedule"}
      </Button>
    );

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    run(
      () =>
        saveScheduleAction({
          databaseId,
          cron: String(f.get("cron") ?? ""),
          enabled: f.get("enabled") === "on",
          format: String(f.get("format")) as BackupRunFormat,
          locationId: String(f.get("locationId") ?? ""),
          copyLocationIds: f.getAll("copies").map(String),
        }),
      { onSuccess: () => "Schedule saved.", refresh: true },
    );
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="space-y-3 rounded-md border border-slate-200 p-3"
      aria-label="Schedule"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          label="When (cron, UTC)"
          hint={
            <>
              minute hour day month weekday; <code className="whitespace-nowrap">0 2 * * *</code> is 02:00 UTC every day
            </>
          }
          error={fieldError("cron")}
        >
          <input name="cron" defaultValue={schedule?.cron ?? DEFAULT_CRON} className={`${inputClass} font-mono`} />
        </Field>
        <Field label="Format" error={fieldError("format")}>
          <select name="format" defaultValue={schedule?.format ?? "custom"} className={inputClass}>
            {BACKUP_RUN_FORMATS.map((f) => (
              <option key={f} value={f}>
                {BACKUP_RUN_FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="To location" error={fieldError("locationId")}>
          <select
            name="locationId"
            defaultValue={schedule?.locationId ?? defaultLocationId ?? locations[0]?.id}
            className={inputClass}
          >
            {locations.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="text-sm">
          <legend className="mb-1 font-medium">Copy each backup to (3-2-1)</legend>
          {locations.length < 2 ? (
            <p className="text-xs text-slate-600">Add a second location to keep copies elsewhere.</p>
          ) : (
            <ul className="space-y-0.5">
              {locations.map((l) => (
                <li key={l.id}>
                  <label className="inline-flex items-center gap-2">
                    <input
                      type="checkbox"
                      name="copies"
                      value={l.id}
                      defaultChecked={schedule?.copyLocationIds.includes(l.id)}
                    />
                    {l.name}
                  </label>
                </li>
              ))}
            </ul>
          )}
          {fieldError("copyLocationIds") && <p className="text-xs text-red-700">{fieldError("copyLocationIds")}</p>}
        </fieldset>
      </div>
      <label className="inline-flex items-center gap-2 text-sm">
        <input type="checkbox" name="enabled" defaultChecked={schedule?.enabled ?? true} />
        Enabled (backups are labelled daily)
      </label>
      <Feedback feedback={feedback ?? remove.feedback} testId="schedule-feedback" />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" loading={pending} loadingText="Saving…">
          Save the schedule
        </Button>
        <Button type="button" variant="ghost" onClick={() => setOpen(false)}>
          Close
        </Button>
        {schedule && (
          <Button
            type="button"
            variant="danger"
            loading={remove.pending}
            loadingText="Removing…"
            onClick={() => remove.run(() => deleteScheduleAction({ databaseId }), { refresh: true })}
          >
            Remove the schedule
          </Button>
        )}
      </div>
    </form>
  );
}
