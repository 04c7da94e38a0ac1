import "server-only";
import { z } from "zod";
import type { AlertChannel } from "@prisma/client";
import { seal, unseal } from "@/lib/crypto/key";
import { parseStoredJson } from "@/lib/stored-json";
import {
  channelSecretsSchema,
  storedChannelConfigSchema,
  type ChannelSecrets,
  type StoredChannelConfig,
} from "@/lib/alerts/channel-config";
import { alertEventSchema, type AlertEvent } from "@/lib/alerts/events";

// Reading and sealing AlertChannel rows. The sealed secrets open only on their own row and field.

const secretsContext = (channelId: string) => ({ table: "AlertChannel", id: channelId, field: "secrets" });

export function sealChannelSecrets(channelId: string, secrets: ChannelSecrets): string | null {
  const present = Object.fromEntries(Object.entries(secrets).filter(([, v]) => typeof v === "string" && v !== ""));
  return Object.keys(present).length ? seal(JSON.stringify(present), secretsContext(channelId)) : null;
}

export function channelSecrets(row: Pick<AlertChannel, "id" | "secrets">): ChannelSecrets {
  return row.secrets
    ? parseStoredJson(unseal(row.secrets, secretsContext(row.id)), channelSecretsSchema, "alert channel's secrets")
    : {};
}

export function channelConfig(row: Pick<AlertChannel, "config">): StoredChannelConfig {
  return parseStoredJson(row.config, storedChannelConfigSchema, "alert channel's settings (AlertChannel.config)");
}

export function channelEvents(row: Pick<AlertChannel, "events">): AlertEvent[] {
  return parseStoredJson(row.events, z.array(alertEventSchema), "alert channel's events (AlertChannel.events)");
}

export function channelDatabaseIds(row: Pick<AlertChannel, "databaseIds">): string[] {
  return parseStoredJson(row.databaseIds, z.array(z.string()), "alert channel's databases (AlertChannel.databaseIds)");
}

/** Whether a channel wants this event for this database (an event about no database goes to every channel that chose it). */
export function channelWants(
  row: Pick<AlertChannel, "enabled" | "events" | "allDatabases" | "databaseIds">,
  event: AlertEvent,
  databaseId: string | null,
): boolean {
  if (!row.enabled || !channelEvents(row).includes(event)) return false;
  return row.allDatabases || databaseId === null || channelDatabaseIds(row).includes(databaseId);
}
