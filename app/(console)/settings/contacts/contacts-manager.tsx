"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ContactRow } from "@/lib/contacts/queries";
import { deleteContactAction, saveContactAction } from "./actions";

export function ContactsManager({ initial }: { initial: ContactRow[] }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<{ text: string; fields: Record<string, string> } | null>(null);
  const [editing, setEditing] = useState<ContactRow | null>(null);
  const input = "w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
  const err = (n: string) => (error?.fields[n] ? <span className="mt-1 block text-xs text-red-700">{error.fields[n]}</span> : null);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    start(async () => {
      const r = await saveContactAction({
        id: editing?.id,
        service: String(f.get("service") ?? ""),
        name: String(f.get("name") ?? ""),
        phone: String(f.get("phone") ?? ""),
        email: String(f.get("email") ?? ""),
        escalation: Number(f.get("escalation") || 1),
      });
      if (!r.ok) return setError({ text: r.error, fields: Object.fromEntries((r.issues ?? []).map((i) => [i.path, i.message])) });
      form.reset();
      setEditing(null);
      router.refresh();
    });
  }

  return (
    <div className="space-y-4">
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500"><tr><th className="px-3 py-2">#</th><th className="px-3 py-2">Service</th><th className="px-3 py-2">Contact</th><th className="px-3 py-2">Phone</th><th className="px-3 py-2">E-mail</th><th className="px-3 py-2"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {initial.length === 0 && <tr><td colSpan={6} className="px-3 py-3 text-slate-600">No contacts yet — add the people to call, in escalation order.</td></tr>}
            {initial.map((c) => (
              <tr key={c.id} className="border-t border-slate-100">
                <td className="px-3 py-2 tabular">{c.escalation}</td><td className="px-3 py-2">{c.service}</td><td className="px-3 py-2 font-medium">{c.name}</td>
                <td className="px-3 py-2 tabular">{c.phone}</td><td className="px-3 py-2">{c.email}</td>
                <td className="space-x-2 whitespace-nowrap px-3 py-2 text-right">
                  <button type="button" className="rounded border border-slate-300 px-2 py-1" onClick={() => setEditing(c)}>Edit</button>
                  <button type="button" disabled={pending} className="rounded border border-red-300 px-2 py-1 text-red-700"
                    onClick={() => { if (window.confirm(`Remove ${c.name} (${c.service}) from the emergency contacts?`)) start(async () => { const r = await deleteContactAction({ id: c.id }); if (!r.ok) setError({ text: r.error, fields: {} }); router.refresh(); }); }}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form key={editing?.id ?? "new"} onSubmit={onSubmit} noValidate aria-label={editing ? "Edit contact" : "Add a contact"} className="grid gap-2 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-6 sm:items-end">
        <h2 className="font-semibold sm:col-span-6">{editing ? `Edit ${editing.name}` : "Add a contact"}</h2>
        {error && <p className="rounded-md border border-red-200 bg-red-50 p-2 text-sm text-red-800 sm:col-span-6" data-testid="contact-error">{error.text}</p>}
        <label className="text-sm sm:col-span-2"><span className="mb-1 block font-medium">Service / role</span><input name="service" defaultValue={editing?.service} className={input} placeholder="Database on-call" />{err("service")}</label>
        <label className="text-sm"><span className="mb-1 block font-medium">Name</span><input name="name" defaultValue={editing?.name} className={input} />{err("name")}</label>
        <label className="text-sm"><span className="mb-1 block font-medium">Phone</span><input name="phone" defaultValue={editing?.phone} className={input} placeholder="+254 700 000 000" />{err("phone")}</label>
        <label className="text-sm"><span className="mb-1 block font-medium">E-mail</span><input name="email" defaultValue={editing?.email} className={input} />{err("email")}</label>
        <label className="text-sm"><span className="mb-1 block font-medium">Escalation #</span><input name="escalation" type="number" min={1} defaultValue={editing?.escalation ?? 1} className={input} />{err("escalation")}</label>
        <div className="flex gap-2 sm:col-span-6">
          <button type="submit" disabled={pending} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">{editing ? "Save" : "Add contact"}</button>
          {editing && <button type="button" className="px-2 text-sm text-sky-700" onClick={() => setEditing(null)}>Cancel</button>}
        </div>
      </form>
    </div>
  );
}
