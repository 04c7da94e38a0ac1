import type { Role } from "@/lib/auth/roles";

export function RoleBadge({ role }: { role: Role }) {
  return (
    <span
      className="rounded bg-slate-700 px-1.5 py-0.5 text-xs font-medium uppercase tracking-wide text-slate-100"
      title="Your role"
    >
      {role}
    </span>
  );
}
