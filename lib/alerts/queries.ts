import "server-only";
import { db } from "@/lib/db";
import { requireRole } from "@/lib/auth/guard";
import { storedState } from "@/lib/stored-json";
import { storedChannelKind, type StoredChannelConfig } from "@/lib/alerts/channel-config";
import { channelConfig, channelDatabaseIds, channelEvents, channelSecrets } from "@/lib/alerts/channel-store";
import { ALERT_EVENTS, type AlertEvent } from "@/lib/alerts/events";
import { DELIVERY_KINDS, DELIVERY_STATUSES } from "@/lib/alerts/states";

// What the settings page and the dashboard show. Secrets never leave: a channel says which
// secret fields are set, and a webhook or Slack URL is shown as its origin only.

function describe(config: StoredChannelConfig): string {
  if (config.kind === "email")
    return `${config.host}:${config.port} (${config.tls === "none" ? "no TLS" : config.tls === "tls" ? "TLS" : "STARTTLS"}) → ${config.to.join(", ")}`;
  return `${config.origin}/…`;
}

export async function listChannels() {
  await requireRole("admin");
  const [rows, databases] = await Promise.all([
    db.alertChannel.findMany({ orderBy: { name: "asc" } }),
    db.database.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map(databases.map((d) => [d.id, d.name]));
  return Promise.all(
    rows.map(async (row) => {
      const config = channelConfig(row);
      let secretsSet = { url: false, signingSecret: false, password: false };
      let secretsError: string | null = null;
      try {
        const s = channelSecrets(row);
        secretsSet = { url: Boolean(s.url), signingSecret: Boolean(s.signingSecret), password: Boolean(s.password) };
      } catch (e) {
        secretsError = e instanceof Error ? e.message : "The stored secrets cannot be read.";
      }
      const last = await db.alertDelivery.findFirst({
        where: { channelId: row.id },
        orderBy: { createdAt: "desc" },
        select: { status: true, createdAt: true, kind: true },
      });
      const databaseIds = channelDatabaseIds(row);
      return {
        id: row.id,
        name: row.name,
        kind: storedChannelKind(row.kind),
        enabled: row.enabled,
        events: channelEvents(row),
        allDatabases: row.allDatabases,
        databaseIds,
        databaseNames: databaseIds.map((id) => names.get(id) ?? "(removed database)"),
        // Only the public part: origin, or SMTP host, port, TLS, user, from and to.
        config,
        summary: describe(config),
        secretsSet,
        secretsError,
        lastDelivery: last && {
          status: storedState(DELIVERY_STATUSES, last.status, "delivery status"),
          kind: storedState(DELIVERY_KINDS, last.kind, "delivery kind"),
          at: last.createdAt.toISOString(),
        },
      };
    }),
  );
}
export type ChannelDto = Awaited<ReturnType<typeof listChannels>>[number];

export async function listDeliveries(opts: { channelId?: string; take?: number } = {}) {
  await requireRole("admin");
  const rows = await db.alertDelivery.findMany({
    where: opts.channelId ? { channelId: opts.channelId } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(opts.take ?? 50, 200),
    include: { channel: { select: { name: true } }, incident: { select: { databaseId: true } } },
  });
  return rows.map((d) => ({
    id: d.id,
    channelId: d.channelId,
    channelName: d.channel.name,
    kind: storedState(DELIVERY_KINDS, d.kind, "delivery kind"),
    event: d.event === "test" ? ("test" as const) : storedState(ALERT_EVENTS, d.event, "alert event"),
    status: storedState(DELIVERY_STATUSES, d.status, "delivery status"),
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    nextAttemptAt: d.status === "pending" && d.attempts > 0 ? d.nextAttemptAt.toISOString() : null,
    error: d.lastError,
  }));
}
export type DeliveryDto = Awaited<ReturnType<typeof listDeliveries>>[number];

/** Open incidents for the dashboard (every role sees what is wrong). */
export async function listOpenIncidents() {
  await requireRole("viewer");
  const rows = await db.alertIncident.findMany({
    where: { openKey: { not: null } },
    orderBy: { openedAt: "desc" },
    take: 50,
  });
  const dbIds = [...new Set(rows.flatMap((r) => (r.databaseId ? [r.databaseId] : [])))];
  const databases = await db.database.findMany({ where: { id: { in: dbIds } }, select: { id: true, name: true } });
  const names = new Map(databases.map((d) => [d.id, d.name]));
  return rows.map((r) => ({
    id: r.id,
    event: storedState(ALERT_EVENTS, r.event, "alert event") as AlertEvent,
    databaseId: r.databaseId,
    databaseName: r.databaseId ? (names.get(r.databaseId) ?? null) : null,
    subject: r.subject,
    message: r.message,
    openedAt: r.openedAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    timesSeen: r.timesSeen,
  }));
}
export type OpenIncidentDto = Awaited<ReturnType<typeof listOpenIncidents>>[number];
