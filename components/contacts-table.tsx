import type { ContactRow } from "@/lib/contacts/queries";

/** The emergency-contacts table shown on every runbook (and on paper). */
export function ContactsTable({ contacts }: { contacts: ContactRow[] }) {
  if (contacts.length === 0) {
    return (
      <p className="text-sm text-amber-800" data-testid="contacts-empty">
        No emergency contacts yet: an admin adds them under Settings → Emergency contacts.
      </p>
    );
  }
  return (
    <table className="w-full text-left text-sm" data-testid="contacts-table">
      <thead className="text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="py-1 pr-2">#</th>
          <th className="py-1 pr-2">Service</th>
          <th className="py-1 pr-2">Contact</th>
          <th className="py-1 pr-2">Phone</th>
          <th className="py-1">E-mail</th>
        </tr>
      </thead>
      <tbody>
        {contacts.map((c) => (
          <tr key={c.id} className="border-t border-slate-100 align-top">
            <td className="py-1 pr-2 tabular">{c.escalation}</td>
            <td className="py-1 pr-2">{c.service}</td>
            <td className="py-1 pr-2 font-medium">{c.name}</td>
            <td className="py-1 pr-2 tabular whitespace-nowrap">
              {c.phone ? (
                <a href={`tel:${c.phone.replace(/[^+0-9]/g, "")}`} className="text-sky-700">
                  {c.phone}
                </a>
              ) : (
                "—"
              )}
            </td>
            <td className="py-1 break-all">
              {c.email ? (
                <a href={`mailto:${c.email}`} className="text-sky-700">
                  {c.email}
                </a>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
