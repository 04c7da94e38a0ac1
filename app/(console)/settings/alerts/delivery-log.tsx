import Link from "next/link";
import type { DeliveryDto } from "@/lib/alerts/queries";
import { ALERT_EVENT_DISPLAY } from "@/lib/alerts/events";
import { DELIVERY_STATUS_DISPLAY } from "@/lib/alerts/states";
import { Badge } from "@/components/ui/badges";
import { Table, THead, Td, Th, Tr } from "@/components/ui/table";
import { Time } from "@/components/time";

const KIND_WORD = { alert: "alert", resolved: "resolved", test: "test" } as const;

export function DeliveryLog({
  rows,
  channels,
  channelId,
}: {
  rows: DeliveryDto[];
  channels: { id: string; name: string }[];
  channelId: string | null;
}) {
  return (
    <section aria-labelledby="delivery-log" className="space-y-2">
      <h2 id="delivery-log" className="text-lg font-semibold">
        Delivery log
      </h2>
      {channels.length > 0 && (
        <nav aria-label="Filter by channel" className="flex flex-wrap gap-2 text-sm">
          <Link
            href="/settings/alerts"
            aria-current={channelId === null ? "page" : undefined}
            className={channelId === null ? "font-semibold" : "text-sky-700 hover:underline"}
          >
            All channels
          </Link>
          {channels.map((c) => (
            <Link
              key={c.id}
              href={`/settings/alerts?channel=${encodeURIComponent(c.id)}`}
              aria-current={channelId === c.id ? "page" : undefined}
              className={channelId === c.id ? "font-semibold" : "text-sky-700 hover:underline"}
            >
              {c.name}
            </Link>
          ))}
        </nav>
      )}
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-600">
          Nothing sent yet. Press &quot;Send test&quot; on a channel to check it.
        </p>
      ) : (
        <Table label="Delivery log" testId="delivery-log">
          <THead>
            <Th>Status</Th>
            <Th>Time (UTC)</Th>
            <Th>Channel</Th>
            <Th>Message</Th>
            <Th numeric>Tries</Th>
            <Th>Error / next try</Th>
          </THead>
          <tbody>
            {rows.map((d) => {
              const s = DELIVERY_STATUS_DISPLAY[d.status];
              return (
                <Tr key={d.id} testId="delivery-row">
                  <Td className="whitespace-nowrap">
                    <Badge kind={s.tone} title={s.meaning}>
                      {s.symbol} {s.label}
                    </Badge>
                  </Td>
                  <Td className="whitespace-nowrap">
                    <Time value={d.createdAt} />
                  </Td>
                  <Td className="break-words">{d.channelName}</Td>
                  <Td>
                    {KIND_WORD[d.kind]}
                    {d.event !== "test" && `: ${ALERT_EVENT_DISPLAY[d.event].label}`}
                  </Td>
                  <Td numeric>{d.attempts}</Td>
                  <Td className="min-w-48 break-words text-xs">
                    {d.error && <span className="text-red-700">{d.error}</span>}
                    {d.nextAttemptAt && (
                      <span className="block text-slate-600">
                        next try <Time value={d.nextAttemptAt} relative />
                      </span>
                    )}
                  </Td>
                </Tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </section>
  );
}
