import type { Role } from "@/lib/auth/roles";
import { PageHeader } from "@/components/ui/page-header";

export function Forbidden({ title, needed, actual }: { title: string; needed: Role; actual: Role }) {
  return (
    <>
      <PageHeader title={title} />
      <div data-testid="forbidden" className="rounded-lg border border-slate-300 bg-white p-5 text-sm">
        <p className="font-semibold">This page needs the {needed} role.</p>
        <p className="mt-1 text-slate-600">You are signed in as {actual}. Ask an admin if you need access.</p>
      </div>
    </>
  );
}
