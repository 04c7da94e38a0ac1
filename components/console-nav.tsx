"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export const NAV_ITEMS = [
  { href: "/", label: "Dashboard" },
  { href: "/backups", label: "Backups" },
  { href: "/restores", label: "Restore" },
  { href: "/runbooks", label: "Runbooks" },
  { href: "/tests", label: "Monthly tests" },
  { href: "/drills", label: "Drills" },
  { href: "/settings", label: "Settings" },
  { href: "/audit", label: "Audit" },
] as const;

function isActive(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** `approvalsWaiting`: requests the signed-in approver could answer, shown as a badge on the dashboard's link. */
export function ConsoleNav({
  orientation,
  approvalsWaiting = 0,
}: {
  orientation: "vertical" | "horizontal";
  approvalsWaiting?: number;
}) {
  const pathname = usePathname();
  const vertical = orientation === "vertical";
  return (
    <nav aria-label="Main" className={vertical ? "flex flex-col gap-0.5" : "flex gap-1 overflow-x-auto px-3 pb-2"}>
      {NAV_ITEMS.map((item) => {
        const active = isActive(pathname, item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={[
              "whitespace-nowrap rounded-md px-3 py-1.5 text-sm",
              active ? "bg-slate-800 font-medium text-white" : "text-slate-300 hover:bg-slate-800/60 hover:text-white",
            ].join(" ")}
          >
            {item.label}
            {item.href === "/" && approvalsWaiting > 0 && (
              <span
                className="ml-2 inline-block min-w-5 rounded-full bg-amber-400 px-1.5 text-center text-xs font-semibold text-slate-900"
                data-testid="nav-approvals-badge"
                title={`${approvalsWaiting} approval${approvalsWaiting === 1 ? "" : "s"} waiting for you`}
              >
                {approvalsWaiting}
                <span className="sr-only"> approval{approvalsWaiting === 1 ? "" : "s"} waiting for you</span>
              </span>
            )}
          </Link>
        );
      })}
    </nav>
  );
}
