"use client";

import { useRef, useState, useTransition } from "react";
import { ROLES } from "@/lib/auth/roles";
import { createUserAction } from "./actions";

export function AddUserForm() {
  const formRef = useRef<HTMLFormElement>(null);
  const [pending, start] = useTransition();
  const [error, setError] = useState<{ text: string; fields: Record<string, string> } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    setDone(null);
    start(async () => {
      const r = await createUserAction({
        email: String(f.get("email") ?? ""),
        name: String(f.get("name") ?? ""),
        role: String(f.get("role") ?? "viewer") as (typeof ROLES)[number],
        password: String(f.get("password") ?? ""),
      });
      if (r.ok) {
        setDone(`Added ${String(f.get("email"))}.`);
        formRef.current?.reset();
      } else {
        setError({ text: r.error, fields: Object.fromEntries((r.issues ?? []).map((i) => [i.path, i.message])) });
      }
    });
  }

  const field = "w-full rounded-md border border-slate-300 px-3 py-2";
  const fieldError = (name: string) =>
    error?.fields[name] ? <span className="mt-1 block text-xs text-red-700">{error.fields[name]}</span> : null;

  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="mb-3 font-semibold">Add a user</h2>
      {error && <p data-testid="add-user-error" className="mb-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">{error.text}</p>}
      {done && <p role="status" className="mb-3 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">{done}</p>}
      <form ref={formRef} onSubmit={onSubmit} noValidate className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5 lg:items-end">
        <label className="block text-sm"><span className="mb-1 block font-medium">E-mail</span><input name="email" type="email" className={field} />{fieldError("email")}</label>
        <label className="block text-sm"><span className="mb-1 block font-medium">Name</span><input name="name" className={field} />{fieldError("name")}</label>
        <label className="block text-sm"><span className="mb-1 block font-medium">Role</span>
          <select name="role" defaultValue="viewer" className={field}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select>
        </label>
        <label className="block text-sm"><span className="mb-1 block font-medium">Initial password</span><input name="password" type="password" autoComplete="new-password" className={field} />{fieldError("password")}</label>
        <button type="submit" disabled={pending} className="rounded-md bg-sky-700 px-3 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
          {pending ? "Adding…" : "Add user"}
        </button>
      </form>
    </section>
  );
}
