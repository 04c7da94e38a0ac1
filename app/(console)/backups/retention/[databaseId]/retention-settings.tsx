"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { setForeignDeletionAction, setMinVerifiedAction } from "../actions";

/** Admins: the minimum redundancy (never below 1) and, per location, whether foreign objects may go. */
export function RetentionSettings({
  databaseId,
  minVerified,
  locations,
}: {
  databaseId: string;
  minVerified: number;
  locations: { id: string; name: string; retentionDeletesForeign: boolean; foreignKept: number }[];
}) {
  const [min, setMin] = useState(String(minVerified));
  const { pending, feedback, fieldError, run } = useServerAction();
  return (
    <div className="space-y-4 text-sm">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => setMinVerifiedAction({ databaseId, minVerified: Number(min.trim() || "NaN") }), {
            refresh: true,
            onSuccess: (r) => `Minimum redundancy of ${r.name}: the newest ${r.minVerified} verified backups.`,
          });
        }}
      >
        <Field
          label="Minimum redundancy (verified backups never deleted)"
          hint="At least 1. Retention deletes nothing while fewer verified backups exist."
          error={fieldError("minVerified")}
          className="w-72"
        >
          <input className={inputClass} inputMode="numeric" value={min} onChange={(e) => setMin(e.target.value)} />
        </Field>
        <Button type="submit" loading={pending}>
          Save
        </Button>
      </form>
      {locations.length > 0 && (
        <ul className="space-y-2">
          {locations.map((l) => (
            <li key={l.id} className="flex flex-wrap items-center gap-2">
              <span>
                <strong>{l.name}</strong>:{" "}
                {l.retentionDeletesForeign
                  ? "retention may delete objects Lifeboat did not make."
                  : `objects Lifeboat did not make are never deleted${l.foreignKept ? ` (${l.foreignKept} kept for that reason now)` : ""}.`}
              </span>
              <Button
                size="sm"
                variant={l.retentionDeletesForeign ? "secondary" : "danger"}
                loading={pending}
                data-testid={`foreign-toggle-${l.name}`}
                onClick={() =>
                  run(() => setForeignDeletionAction({ locationId: l.id, allow: !l.retentionDeletesForeign }), {
                    refresh: true,
                    onSuccess: (r) =>
                      r.allow
                        ? `Retention may now delete objects in ${r.name} that Lifeboat did not make.`
                        : `Objects in ${r.name} that Lifeboat did not make are kept again.`,
                  })
                }
              >
                {l.retentionDeletesForeign ? "Keep foreign objects" : "Allow deleting foreign objects"}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <Feedback feedback={feedback} />
    </div>
  );
}
