import Link from "next/link";
import { Time } from "@/components/time";
import { monthLabel } from "@/lib/monthly-tests/calendar";
import type { KeptTestScratchDatabase } from "@/lib/dashboard/queries";

/** Scratch databases monthly tests keep for their plan's hours; the scheduler drops each when its time is up. */
export function KeptTestScratchDatabases({ kept }: { kept: KeptTestScratchDatabase[] }) {
  return (
    <ul className="text-sm" data-testid="kept-test-scratch-databases">
      {kept.map((k) => (
        <li key={k.testId} className="flex flex-wrap items-center gap-x-2 py-1">
          <code className="[overflow-wrap:anywhere]">{k.scratchDatabase}</code>
          <span className="text-slate-600">
            kept by the monthly test of {k.databaseName}, {monthLabel(k.month)} (
            <Link href={`/tests/${k.testId}`} className="text-sky-700 hover:underline">
              test record
            </Link>
            ), on {k.server ? `the test server ${k.server}` : "a test server whose plan is gone"}
          </span>
          {k.overdue ? (
            <span className="text-amber-900">
              ▲ its time ended <Time value={k.keepUntil} relative />: the scheduler drops it within a minute; if it
              stays listed, the test record says why and it can be dropped by hand on the test server.
            </span>
          ) : (
            <span className="text-slate-600">
              until <Time value={k.keepUntil} relative />, then dropped automatically
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
