import "server-only";
import { Prisma } from "@prisma/client";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { incidentKey, type AlertEvent, type IncidentRef } from "@/lib/alerts/events";
import { buildMessage, type AlertMessage } from "@/lib/alerts/messages";
import { channelWants } from "@/lib/alerts/channel-store";
import { kickDeliveries } from "@/lib/alerts/deliveries";
import type { DeliveryKind } from "@/lib/alerts/states";

// The alert API every part of Lifeboat calls: raiseAlert when something is wrong, resolveAlert
// when it no longer is. An incident is one open problem per key (event + database + subject):
// raising it again while open only counts it, so each channel gets one alert per incident and
// one "resolved" message when it clears. Neither throws into its caller's work: a failure to
// record an alert is logged, because the backup or restore that noticed it must go on.

export type RaiseAlertInput = IncidentRef & {
  /** What happened and what to do, in words an on-call engineer can act on. */
  message: string;
  /** A console path to open (e.g. /backups/<id>); made absolute with NEXTAUTH_URL when set. */
  link?: string | null;
  /** Tests pass their clock. */
  now?: Date;
};

export type ResolveAlertInput = IncidentRef & { resolution: string; now?: Date };

function absoluteLink(path: string | null | undefined): string | null {
  const base = env().NEXTAUTH_URL;
  if (!path || !base) return null;
  return new URL(path, base).toString();
}

async function databaseName(databaseId: string | null | undefined): Promise<string | null> {
  if (!databaseId) return null;
  const d = await db.database.findUnique({ where: { id: databaseId }, select: { name: true } });
  return d?.name ?? null;
}

async function queue(
  channelIds: string[],
  kind: DeliveryKind,
  event: AlertEvent,
  incidentId: string | null,
  message: AlertMessage,
  now: Date,
) {
  if (channelIds.length === 0) return;
  await db.alertDelivery.createMany({
    data: channelIds.map((channelId) => ({
      channelId,
      incidentId,
      kind,
      event,
      payload: JSON.stringify(message),
      nextAttemptAt: now,
      createdAt: now,
    })),
  });
}

/** Opens an incident (and queues one alert per channel that wants it), or counts a repeat of an open one. */
export async function raiseAlert(input: RaiseAlertInput): Promise<{ incidentId: string; opened: boolean } | null> {
  try {
    return await raise(input);
  } catch (e) {
    console.error(`[lifeboat] could not record the alert ${input.event}:`, e);
    return null;
  }
}

async function raise(input: RaiseAlertInput): Promise<{ incidentId: string; opened: boolean }> {
  const now = input.now ?? new Date();
  const key = incidentKey(input);
  const open = await db.alertIncident.findUnique({ where: { openKey: key } });
  if (open) {
    await db.alertIncident.update({
      where: { id: open.id },
      data: { lastSeenAt: now, timesSeen: { increment: 1 } },
    });
    return { incidentId: open.id, opened: false };
  }
  let incidentId: string;
  try {
    const created = await db.alertIncident.create({
      data: {
        key,
        openKey: key,
        event: input.event,
        databaseId: input.databaseId ?? null,
        subject: input.subject ?? null,
        message: input.message,
        openedAt: now,
        lastSeenAt: now,
      },
    });
    incidentId = created.id;
  } catch (e) {
    // Raised twice at once: the other call opened it.
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      const other = await db.alertIncident.findUnique({ where: { openKey: key } });
      if (other) return { incidentId: other.id, opened: false };
    }
    throw e;
  }
  const channels = await db.alertChannel.findMany({ where: { enabled: true } });
  const wanted = channels.filter((c) => channelWants(c, input.event, input.databaseId ?? null)).map((c) => c.id);
  const message = buildMessage({
    type: "alert",
    event: input.event,
    message: input.message,
    database: await databaseName(input.databaseId),
    subject: input.subject,
    incidentId,
    openedAt: now,
    link: absoluteLink(input.link),
  });
  await queue(wanted, "alert", input.event, incidentId, message, now);
  kickDeliveries(input.now);
  return { incidentId, opened: true };
}

/** Closes the open incident for this key, if any, and queues "resolved" to every channel that got its alert. */
export async function resolveAlert(input: ResolveAlertInput): Promise<{ incidentId: string } | null> {
  try {
    return await resolve(input);
  } catch (e) {
    console.error(`[lifeboat] could not resolve the alert ${input.event}:`, e);
    return null;
  }
}

async function resolve(input: ResolveAlertInput): Promise<{ incidentId: string } | null> {
  const now = input.now ?? new Date();
  const key = incidentKey(input);
  const open = await db.alertIncident.findUnique({ where: { openKey: key } });
  if (!open) return null;
  const { count } = await db.alertIncident.updateMany({
    where: { id: open.id, openKey: key },
    data: { openKey: null, resolvedAt: now, resolution: input.resolution },
  });
  if (count !== 1) return null;
  const alerted = await db.alertDelivery.findMany({
    where: { incidentId: open.id, kind: "alert" satisfies DeliveryKind, channel: { enabled: true } },
    select: { channelId: true },
    distinct: ["channelId"],
  });
  const message = buildMessage({
    type: "resolved",
    event: input.event,
    message: input.resolution,
    database: await databaseName(open.databaseId),
    subject: open.subject,
    incidentId: open.id,
    openedAt: open.openedAt,
    resolvedAt: now,
  });
  await queue(
    alerted.map((a) => a.channelId),
    "resolved",
    input.event,
    open.id,
    message,
    now,
  );
  kickDeliveries(input.now);
  return { incidentId: open.id };
}

/** Queues a test message to one channel (whatever its events and databases) and returns the delivery's id. */
export async function queueTestMessage(channelId: string, by: string): Promise<string> {
  const channel = await db.alertChannel.findUnique({ where: { id: channelId }, select: { id: true, name: true } });
  if (!channel) throw new NotFoundError("The alert channel");
  const message = buildMessage({
    type: "test",
    event: "test",
    message: `${by} sent this test from the channel "${channel.name}" in Lifeboat. If you read this, alerts reach you here.`,
    database: null,
    link: absoluteLink("/settings/alerts"),
  });
  const delivery = await db.alertDelivery.create({
    data: { channelId, kind: "test" satisfies DeliveryKind, event: "test", payload: JSON.stringify(message) },
  });
  return delivery.id;
}
