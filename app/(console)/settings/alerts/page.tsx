import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Forbidden } from "@/components/forbidden";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { listChannels, listDeliveries } from "@/lib/alerts/queries";
import { listDatabaseNames } from "@/lib/alerts/database-names";
import { ChannelsManager } from "./channels-manager";
import { DeliveryLog } from "./delivery-log";

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ channel?: string }> }) {
  const me = await requirePageUser();
  if (!hasRole(me.role, "admin")) return <Forbidden title="Alerts" needed="admin" actual={me.role} />;
  const { channel } = await searchParams;
  const [channels, databases] = await Promise.all([listChannels(), listDatabaseNames()]);
  const channelId = channels.some((c) => c.id === channel) ? (channel ?? null) : null;
  const deliveries = await listDeliveries({ channelId: channelId ?? undefined, take: 100 });
  return (
    <>
      <PageHeader
        title="Alerts"
        description={
          <>
            <Link href="/settings" className="text-sky-700 hover:underline">
              Settings
            </Link>{" "}
            › Alerts. Who is told when a backup fails or goes missing, a verification fails, or a restore needs a
            person. One message per problem, and one when it clears; failed sends are retried with growing waits.
          </>
        }
      />
      <div className="space-y-8">
        <ChannelsManager channels={channels} databases={databases} />
        <DeliveryLog
          rows={deliveries}
          channels={channels.map((c) => ({ id: c.id, name: c.name }))}
          channelId={channelId}
        />
      </div>
    </>
  );
}
