"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { MIN_REASON_CHARS } from "@/lib/monthly-tests/sign-off/rules";
import { addTestRemarkAction, closeTestActionAction, countersignTestAction, signTestAction } from "../actions";

type ActionRow = { text: string; owner: string; dueDate: string };

/** Signing as "performed by": a failed or partial test asks for the reason and action items first. */
export function SignForm({ testId, needsReason, status }: { testId: string; needsReason: boolean; status: string }) {
  const action = useServerAction();
  const [reason, setReason] = useState("");
  const [rows, setRows] = useState<ActionRow[]>(needsReason ? [{ text: "", owner: "", dueDate: "" }] : []);
  const set = (i: number, patch: Partial<ActionRow>) =>
    setRows((r) => r.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    action.run(() => signTestAction({ testId, reason, actions: rows }), { refresh: true });
  };
  return (
    <form onSubmit={submit} aria-label="Sign as performed by" className="space-y-3" data-testid="sign-form">
      {needsReason && (
        <>
          <p className="text-sm text-amber-900">
            This test {status === "failed" ? "failed" : "is partial"}: signing it needs a written reason and at least
            one action item with an owner and a due date.
          </p>
          <Field
            label="Reason"
            hint={`What went wrong, and why the record is signed anyway (${MIN_REASON_CHARS} characters or more).`}
            error={action.fieldError("reason")}
          >
            <textarea
              className={inputClass}
              rows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={4000}
            />
          </Field>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">Action items</legend>
            {rows.map((r, i) => (
              <div key={i} className="grid gap-2 rounded border border-slate-200 p-2 sm:grid-cols-[2fr_1fr_10rem]">
                <Field label={`Action ${i + 1}`} error={action.fieldError(`actions.${i}.text`)}>
                  <input className={inputClass} value={r.text} onChange={(e) => set(i, { text: e.target.value })} />
                </Field>
                <Field label="Owner" error={action.fieldError(`actions.${i}.owner`)}>
                  <input className={inputClass} value={r.owner} onChange={(e) => set(i, { owner: e.target.value })} />
                </Field>
                <Field label="Due date" error={action.fieldError(`actions.${i}.dueDate`)}>
                  <input
                    type="date"
                    className={inputClass}
                    value={r.dueDate}
                    onChange={(e) => set(i, { dueDate: e.target.value })}
                  />
                </Field>
              </div>
            ))}
            <div className="flex flex-wrap gap-2">
              <Button size="sm" onClick={() => setRows((r) => [...r, { text: "", owner: "", dueDate: "" }])}>
                Add an action item
              </Button>
              {rows.length > 0 && (
                <Button size="sm" variant="ghost" onClick={() => setRows((r) => r.slice(0, -1))}>
                  Remove the last one
                </Button>
              )}
            </div>
          </fieldset>
        </>
      )}
      <Button type="submit" variant="primary" loading={action.pending} loadingText="Signing…">
        Sign as performed by
      </Button>
      <Feedback feedback={action.feedback} testId="sign-message" />
    </form>
  );
}

export function CountersignButton({ testId }: { testId: string }) {
  const action = useServerAction();
  return (
    <div className="space-y-2">
      <Button
        variant="primary"
        loading={action.pending}
        loadingText="Countersigning…"
        onClick={() => action.run(() => countersignTestAction({ testId }), { refresh: true })}
      >
        Countersign and lock
      </Button>
      <p className="text-xs text-slate-600">
        The record is then locked: later remarks are appended, nothing is edited.
      </p>
      <Feedback feedback={action.feedback} testId="countersign-message" />
    </div>
  );
}

export function RemarkForm({ testId }: { testId: string }) {
  const action = useServerAction();
  const [text, setText] = useState("");
  return (
    <form
      aria-label="Add a remark"
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        action.run(() => addTestRemarkAction({ testId, text }), {
          refresh: true,
          onSuccess: () => {
            setText("");
            return "Remark added.";
          },
        });
      }}
    >
      <Field label="Remark" error={action.fieldError("text")}>
        <textarea
          className={inputClass}
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={4000}
        />
      </Field>
      <Button type="submit" loading={action.pending} loadingText="Adding…">
        Add remark
      </Button>
      <Feedback feedback={action.feedback} testId="remark-message" />
    </form>
  );
}

export function CloseActionButton({ actionId, text }: { actionId: string; text: string }) {
  const action = useServerAction();
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button
        size="xs"
        loading={action.pending}
        aria-label={`Close the action item: ${text}`}
        onClick={() => action.run(() => closeTestActionAction({ actionId }), { refresh: true })}
      >
        Close
      </Button>
      <Feedback feedback={action.error} />
    </span>
  );
}
