"use client";

import { useState } from "react";
import type { ContactRow } from "@/lib/contacts/queries";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Field, inputClass } from "@/components/ui/field";
import { Table, THead, Td, Th, Tr } from "@/components/ui/table";
import { useServerAction } from "@/components/ui/use-server-action";
import { deleteContactAction, saveContactAction } from "./actions";

export function ContactsManager({ initial }: { initial: ContactRow[] }) {
  const { pending, error, fieldError, run } = useServerAction();
  const [editing, setEditing] = useState<ContactRow | null>(null);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const input = {
      id: editing?.id,
      service: String(f.get("service") ?? ""),
      name: String(f.get("name") ?? ""),
      phone: String(f.get("phone") ?? ""),
      email: String(f.get("email") ?? ""),
      escalation: Number(f.get("escalation") || 1),
    };
    run(() => saveContactAction(input), {
      refresh: true,
      onSuccess: () => {
        form.reset();
        setEditing(null);
      },
    });
  }

  function remove(c: ContactRow) {
    if (!window.confirm(`Remove ${c.name} (${c.service}) from the emergency contacts?`)) return;
    run(() => deleteContactAction({ id: c.id }), { refresh: true });
  }

  return (
    <div className="space-y-4">
      <Table>
        <THead>
          <Th>#</Th>
          <Th>Service</Th>
          <Th>Contact</Th>
          <Th>Phone</Th>
          <Th>E-mail</Th>
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </THead>
        <tbody>
          {initial.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-3 text-slate-600">
                No contacts yet — add the people to call, in escalation order.
              </td>
            </tr>
          )}
          {initial.map((c) => (
            <Tr key={c.id}>
              <Td>{c.escalation}</Td>
              <Td>{c.service}</Td>
              <Td className="font-medium">{c.name}</Td>
              <Td>{c.phone}</Td>
              <Td>{c.email}</Td>
              <Td className="space-x-2 whitespace-nowrap text-right">
                <Button size="sm" onClick={() => setEditing(c)}>
                  Edit
                </Button>
                <Button size="sm" variant="danger" disabled={pending} onClick={() => remove(c)}>
                  Remove
                </Button>
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
      <form
        key={editing?.id ?? "new"}
        onSubmit={onSubmit}
        noValidate
        aria-label={editing ? "Edit contact" : "Add a contact"}
        className="grid gap-2 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-6 sm:items-start"
      >
        <h2 className="font-semibold sm:col-span-6">{editing ? `Edit ${editing.name}` : "Add a contact"}</h2>
        <Feedback feedback={error} testId="contact-error" className="sm:col-span-6" />
        <Field label="Service / role" error={fieldError("service")} className="sm:col-span-2">
          <input name="service" defaultValue={editing?.service} className={inputClass} placeholder="Database on-call" />
        </Field>
        <Field label="Name" error={fieldError("name")}>
          <input name="name" defaultValue={editing?.name} className={inputClass} />
        </Field>
        <Field label="Phone" error={fieldError("phone")}>
          <input name="phone" defaultValue={editing?.phone} className={inputClass} placeholder="+254 700 000 000" />
        </Field>
        <Field label="E-mail" error={fieldError("email")}>
          <input name="email" defaultValue={editing?.email} className={inputClass} />
        </Field>
        <Field label="Escalation #" error={fieldError("escalation")}>
          <input
            name="escalation"
            type="number"
            min={1}
            defaultValue={editing?.escalation ?? 1}
            className={inputClass}
          />
        </Field>
        <div className="flex gap-2 sm:col-span-6">
          <Button type="submit" variant="primary" loading={pending}>
            {editing ? "Save" : "Add contact"}
          </Button>
          {editing && (
            <Button variant="ghost" onClick={() => setEditing(null)}>
              Cancel
            </Button>
          )}
        </div>
      </form>
    </div>
  );
}
