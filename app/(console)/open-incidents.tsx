import Link from "next/link";
import type { OpenIncidentDto } from "@/lib/alerts/queries";
import { ALERT_EVENT_DISPLAY } from "@/lib/alerts/events";
import { Card } from "@/components/ui/card";
import { Time } from "@/components/time";

/** The dashboard's list of open alert incidents: what is wrong now, since when. */
export function OpenIncidents({ incidents, canManage }: { incidents: OpenIncidentDto[]; canManage: boolean }) {
  if (incidents.length === 0) return null;
  return (
    <Card title={`Open alerts (${incidents.length})`} className="border-red-300 lg:col-span-3">
      <ul className="divide-y divide-slate-100 text-sm" data-testid="open-incidents">
        {incidents.map((i) => (
          <li key={i.id} className="py-1.5">
            <span className="font-medium text-red-800">■ {ALERT_EVENT_DISPLAY[i.event].label}</span>
            {i.databaseName && (
              <>
                {" · "}
                {i.databaseId ? (
                  <Link href={`/databases/${i.databaseId}`} className="text-sky-700 hover:underline">
                    {i.databaseName}
                  </Link>
                ) : (
                  i.databaseName
                )}
              </>
            )}
            {" · open since "}
            <Time value={i.openedAt} relative />
            {i.timesSeen > 1 && <span className="text-slate-600"> (seen {i.timesSeen} times)</span>}
            <p className="break-words text-slate-700">{i.message}</p>
          </li>
        ))}
      </ul>
      {canManage && (
        <p className="mt-2 text-xs text-slate-600">
          Who is told:{" "}
          <Link href="/settings/alerts" className="text-sky-700 hover:underline">
            Settings → Alerts
          </Link>
          .
        </p>
      )}
    </Card>
  );
}
