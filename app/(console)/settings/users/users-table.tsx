"use client";

import { ROLES, type Role } from "@/lib/auth/roles";
import { Time } from "@/components/time";
import { Button } from "@/components/ui/button";
import { Feedback } from "@/components/ui/feedback";
import { Table, THead, Td, Th, Tr } from "@/components/ui/table";
import { useServerAction } from "@/components/ui/use-server-action";
import { resetPasswordAction, updateUserAction } from "./actions";

type Row = {
  id: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
};

export function UsersTable({ users, meId }: { users: Row[]; meId: string }) {
  const { pending, feedback, run } = useServerAction();

  return (
    <div className="mb-6">
      <Feedback feedback={feedback} testId="users-message" className="mb-3" />
      <Table>
        <THead>
          <Th>User</Th>
          <Th>Role</Th>
          <Th>Status</Th>
          <Th>Last sign-in</Th>
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </THead>
        <tbody>
          {users.map((u) => (
            <Tr key={u.id}>
              <Td>
                <div className="font-medium">
                  {u.name}
                  {u.id === meId && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                </div>
                <div className="font-mono text-xs text-slate-600">{u.email}</div>
              </Td>
              <Td>
                <select
                  aria-label={`Role of ${u.email}`}
                  defaultValue={u.role}
                  disabled={pending}
                  onChange={(e) => {
                    const role = e.target.value as Role;
                    run(() => updateUserAction({ id: u.id, role }), {
                      onSuccess: () => `Role of ${u.email} is now ${role}.`,
                    });
                  }}
                  className="rounded border border-slate-300 bg-white px-2 py-1"
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </Td>
              <Td>
                {u.disabled ? (
                  <span className="font-medium text-red-700">● disabled</span>
                ) : (
                  <span className="text-emerald-700">● active</span>
                )}
              </Td>
              <Td>
                {u.lastSignInAt ? <Time value={u.lastSignInAt} /> : <span className="text-slate-500">never</span>}
              </Td>
              <Td className="space-x-2 whitespace-nowrap text-right">
                <Button
                  size="sm"
                  disabled={pending}
                  variant={u.disabled ? "secondary" : "danger"}
                  onClick={() =>
                    run(() => updateUserAction({ id: u.id, disabled: !u.disabled }), {
                      onSuccess: () => `${u.email} is now ${u.disabled ? "active" : "disabled"}.`,
                    })
                  }
                >
                  {u.disabled ? "Enable" : "Disable"}
                </Button>
                <Button
                  size="sm"
                  disabled={pending}
                  onClick={() =>
                    run(() => resetPasswordAction({ id: u.id }), {
                      onSuccess: (d) =>
                        `New password for ${d.email}: ${d.password} — shown once; hand it over securely.`,
                    })
                  }
                >
                  Reset password
                </Button>
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
