"use client";

import { useState, useTransition } from "react";
import { ROLES, type Role } from "@/lib/auth/roles";
import { Time } from "@/components/time";
import { resetPasswordAction, updateUserAction } from "./actions";

type Row = { id: string; email: string; name: string; role: string; disabled: boolean; createdAt: string; lastSignInAt: string | null };

export function UsersTable({ users, meId }: { users: Row[]; meId: string }) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ kind: "error" | "info"; text: string } | null>(null);

  function run(fn: () => Promise<{ ok: boolean; error?: string }>, success?: string) {
    setMessage(null);
    start(async () => {
      const r = await fn();
      if (!r.ok) setMessage({ kind: "error", text: r.error ?? "Failed." });
      else if (success) setMessage({ kind: "info", text: success });
    });
  }

  return (
    <div className="mb-6">
      {message && (
        <p role="status" data-testid="users-message"
          className={`mb-3 rounded-md border p-3 text-sm ${message.kind === "error" ? "border-red-200 bg-red-50 text-red-800" : "border-emerald-200 bg-emerald-50 text-emerald-900"}`}>
          {message.text}
        </p>
      )}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">User</th>
              <th className="px-3 py-2">Role</th>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2">Last sign-in</th>
              <th className="px-3 py-2"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-t border-slate-100 align-top">
                <td className="px-3 py-2">
                  <div className="font-medium">{u.name}{u.id === meId && <span className="ml-1 text-xs text-slate-500">(you)</span>}</div>
                  <div className="font-mono text-xs text-slate-600">{u.email}</div>
                </td>
                <td className="px-3 py-2">
                  <select aria-label={`Role of ${u.email}`} defaultValue={u.role} disabled={pending}
                    onChange={(e) => run(() => updateUserAction({ id: u.id, role: e.target.value as Role }), `Role of ${u.email} is now ${e.target.value}.`)}
                    className="rounded border border-slate-300 bg-white px-2 py-1">
                    {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                </td>
                <td className="px-3 py-2">{u.disabled ? <span className="font-medium text-red-700">● disabled</span> : <span className="text-emerald-700">● active</span>}</td>
                <td className="px-3 py-2">{u.lastSignInAt ? <Time value={u.lastSignInAt} /> : <span className="text-slate-500">never</span>}</td>
                <td className="space-x-2 whitespace-nowrap px-3 py-2 text-right">
                  <button type="button" disabled={pending} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50"
                    onClick={() => run(() => updateUserAction({ id: u.id, disabled: !u.disabled }), `${u.email} is now ${u.disabled ? "active" : "disabled"}.`)}>
                    {u.disabled ? "Enable" : "Disable"}
                  </button>
                  <button type="button" disabled={pending} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50"
                    onClick={() => run(async () => {
                      const r = await resetPasswordAction({ id: u.id });
                      if (r.ok) setMessage({ kind: "info", text: `New password for ${r.data.email}: ${r.data.password} — shown once; hand it over securely.` });
                      return r.ok ? { ok: true } : r;
                    })}>
                    Reset password
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
