import Link from "next/link";
import { Logo } from "@/components/logo";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { ConsoleNav } from "@/components/console-nav";
import { SignOutButton } from "@/components/sign-out-button";
import { RoleBadge } from "@/components/ui/role-badge";
import { approvalsWaitingForMe } from "@/lib/approvals/queries";

export const dynamic = "force-dynamic";

// A convenience redirect only: every query, action and route authorizes again.
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  // Approvers see how many requests wait for them (0 for other roles).
  const approvalsWaiting = await approvalsWaitingForMe();
  return (
    <div className="min-h-screen md:flex">
      <aside className="no-print bg-slate-900 text-white md:sticky md:top-0 md:flex md:h-screen md:w-56 md:flex-col">
        <div className="flex items-center justify-between gap-2 px-4 py-3 md:block">
          <Link href="/" className="text-lg font-semibold tracking-tight">
            <Logo className="mr-1.5 inline-block h-6 w-6 align-[-5px]" />
            Lifeboat
          </Link>
          <div className="flex items-center gap-2 md:hidden">
            <RoleBadge role={user.role} />
            <SignOutButton />
          </div>
        </div>
        <div className="hidden px-2 md:block">
          <ConsoleNav orientation="vertical" approvalsWaiting={approvalsWaiting} />
        </div>
        <div className="md:hidden">
          <ConsoleNav orientation="horizontal" approvalsWaiting={approvalsWaiting} />
        </div>
        <div className="mt-auto hidden border-t border-slate-800 px-4 py-3 text-sm md:block">
          <div className="truncate font-medium" title={user.email}>
            {user.name}
          </div>
          <div className="mb-2 truncate text-xs text-slate-400">{user.email}</div>
          <div className="flex items-center justify-between">
            <RoleBadge role={user.role} />
            <SignOutButton />
          </div>
        </div>
      </aside>
      <main className="min-w-0 flex-1 px-4 py-5 md:px-8 md:py-6">{children}</main>
    </div>
  );
}
