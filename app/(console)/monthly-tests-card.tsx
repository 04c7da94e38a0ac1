import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badges";
import { monthLabel } from "@/lib/monthly-tests/calendar";
import type { MonthlyTestAttention } from "@/lib/monthly-tests/record-queries";

/** The dashboard's monthly-test and drill share: only what needs someone, nothing when all is well. */
export function MonthlyTestsCard({ attention }: { attention: MonthlyTestAttention }) {
  const { overdue, unsigned, openActions, overdueDrills } = attention;
  if (overdue.length + unsigned.length + openActions.length + overdueDrills.length === 0) return null;
  return (
    <Card title="Monthly tests and drills" className="border-amber-300 lg:col-span-3">
      <div className="grid gap-4 text-sm md:grid-cols-2" data-testid="dashboard-monthly-tests">
        {overdue.length > 0 && (
          <div>
            <h3 className="font-medium text-red-800">■ Months without a test</h3>
            <ul data-testid="dashboard-overdue-months">
              {overdue.map((o) => (
                <li key={o.databaseId} className="[overflow-wrap:anywhere]">
                  <Link href="/tests" className="text-sky-700 hover:underline">
                    {o.name}
                  </Link>
                  : {o.months.map((m) => monthLabel(m)).join(", ")}
                </li>
              ))}
            </ul>
          </div>
        )}
        {unsigned.length > 0 && (
          <div>
            <h3 className="font-medium text-amber-900">▲ Tests waiting for a signature</h3>
            <ul data-testid="dashboard-unsigned-tests">
              {unsigned.map((t) => (
                <li key={t.id} className="[overflow-wrap:anywhere]">
                  <Link href={`/tests/${t.id}`} className="text-sky-700 hover:underline">
                    {t.database}, {monthLabel(t.month)}
                  </Link>{" "}
                  ({t.status}): needs{" "}
                  {t.waitingFor === "signature" ? "its signature" : "an approver's countersignature"}
                </li>
              ))}
            </ul>
          </div>
        )}
        {openActions.length > 0 && (
          <div>
            <h3 className="font-medium">○ Open action items</h3>
            <ul data-testid="dashboard-test-actions">
              {openActions.map((a) => (
                <li key={a.id} className="[overflow-wrap:anywhere]">
                  {a.overdue && <Badge kind="bad">overdue</Badge>}{" "}
                  <Link href={`/tests/${a.testId}`} className="text-sky-700 hover:underline">
                    {a.text}
                  </Link>{" "}
                  — {a.owner}, due {a.dueDate} ({a.database}, {monthLabel(a.month)})
                </li>
              ))}
            </ul>
          </div>
        )}
        {overdueDrills.length > 0 && (
          <div>
            <h3 className="font-medium text-red-800">■ Annual DR drill overdue</h3>
            <ul data-testid="dashboard-overdue-drills">
              {overdueDrills.map((d) => (
                <li key={d.scenarioId}>
                  {d.title}: {d.lastClosedAt ? `last drilled ${d.lastClosedAt.slice(0, 10)}` : "never drilled"}
                </li>
              ))}
            </ul>
            <Link href="/drills" className="text-sky-700 hover:underline">
              Schedule a drill →
            </Link>
          </div>
        )}
      </div>
    </Card>
  );
}
