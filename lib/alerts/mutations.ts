import "server-only";
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { mergeChannel, MissingSecretError, type ChannelSecrets } from "@/lib/alerts/channel-config";
import { channelConfig, channelSecrets, sealChannelSecrets } from "@/lib/alerts/channel-store";
import type { saveChannelSchema } from "@/lib/alerts/schemas";
import { queueTestMessage } from "@/lib/alerts/incidents";
import { sendTestNow } from "@/lib/alerts/deliveries";

// Called only through lib/alerts/commands.ts (admin role, audit event).

export async function saveChannel(input: z.output<typeof saveChannelSchema>) {
  const existing = input.id ? await db.alertChannel.findUnique({ where: { id: input.id } }) : null;
  if (input.id && !existing) throw new NotFoundError("The alert channel");
  let merged;
  try {
    merged = mergeChannel(
      existing ? { config: channelConfig(existing), secrets: channelSecrets(existing) } : null,
      input.config,
    );
  } catch (e) {
    // Reported like any invalid field, next to the field that needs typing.
    if (e instanceof MissingSecretError)
      z.object({ config: z.object({ [e.field]: z.string({ error: e.message }) }) }).parse({ config: {} });
    throw e;
  }
  const databaseIds = input.allDatabases ? [] : [...new Set(input.databaseIds)];
  if (databaseIds.length > 0) {
    const found = await db.database.count({ where: { id: { in: databaseIds } } });
    if (found !== databaseIds.length)
      throw new UserError("A chosen database no longer exists. Reload the page and choose again.", 409);
  }
  const id = input.id ?? randomUUID();
  const data = {
    name: input.name,
    kind: input.config.kind,
    config: JSON.stringify(merged.publicConfig),
    secrets: sealChannelSecrets(id, merged.secrets),
    events: JSON.stringify(input.events),
    allDatabases: input.allDatabases,
    databaseIds: JSON.stringify(databaseIds),
    enabled: input.enabled,
  };
  try {
    const saved = existing
      ? await db.alertChannel.update({ where: { id }, data })
      : await db.alertChannel.create({ data: { id, ...data } });
    return {
      id: saved.id,
      name: saved.name,
      kind: saved.kind,
      secretFields: Object.keys(merged.secrets) as (keyof ChannelSecrets)[],
      secretsDropped: merged.dropped,
    };
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002")
      throw new UserError(`An alert channel named "${input.name}" already exists. Choose another name.`, 409);
    throw e;
  }
}

export async function deleteChannel(input: { id: string }) {
  const existing = await db.alertChannel.findUnique({ where: { id: input.id }, select: { id: true, name: true } });
  if (!existing) throw new NotFoundError("The alert channel");
  await db.alertChannel.delete({ where: { id: input.id } });
  return existing;
}

/** Sends a test message now and says what happened (the delivery log keeps it too). */
export async function testChannel(input: { id: string }, by: string) {
  const deliveryId = await queueTestMessage(input.id, by);
  const result = await sendTestNow(deliveryId);
  return { deliveryId, ...result };
}
