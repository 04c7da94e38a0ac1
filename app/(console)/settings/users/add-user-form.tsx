"use client";

import { useRef } from "react";
import { ROLES } from "@/lib/auth/roles";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { useServerAction } from "@/components/ui/use-server-action";
import { createUserAction } from "./actions";

export function AddUserForm() {
  const formRef = useRef<HTMLFormElement>(null);
  const { pending, feedback, error, fieldError, run } = useServerAction();

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const email = String(f.get("email") ?? "");
    run(
      () =>
        createUserAction({
          email,
          name: String(f.get("name") ?? ""),
          role: String(f.get("role") ?? "viewer") as (typeof ROLES)[number],
          password: String(f.get("password") ?? ""),
        }),
      {
        onSuccess: () => {
          formRef.current?.reset();
          return `Added ${email}.`;
        },
      },
    );
  }

  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="mb-3 font-semibold">Add a user</h2>
      <Feedback feedback={feedback} testId={error ? "add-user-error" : undefined} className="mb-3" />
      <form
        ref={formRef}
        onSubmit={onSubmit}
        noValidate
        className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5 lg:items-start"
      >
        <Field label="E-mail" error={fieldError("email")}>
          <input name="email" type="email" className={inputClass} />
        </Field>
        <Field label="Name" error={fieldError("name")}>
          <input name="name" className={inputClass} />
        </Field>
        <Field label="Role">
          <select name="role" defaultValue="viewer" className={inputClass}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </Field>
        <Field label="Initial password" hint="12 characters or more" error={fieldError("password")}>
          <input name="password" type="password" autoComplete="new-password" className={inputClass} />
        </Field>
        <Button type="submit" variant="primary" size="lg" className="lg:mt-6" loading={pending} loadingText="Adding…">
          Add user
        </Button>
      </form>
    </section>
  );
}
