import "server-only";
import { defineCommand } from "@/lib/actions/define-command";
import { channelIdSchema, saveChannelSchema } from "@/lib/alerts/schemas";
import { deleteChannel, saveChannel, testChannel } from "@/lib/alerts/mutations";

export const saveAlertChannelCommand = defineCommand({
  name: "alerts.save-channel",
  role: "admin",
  input: saveChannelSchema,
  handler: (input) => saveChannel(input),
  audit: {
    action: (input) => (input.id ? "alert_channel.update" : "alert_channel.create"),
    targetType: "alert_channel",
    targetId: (_, r) => r.id,
    // Which secret fields are stored, never their values.
    detail: (input, r) => ({
      name: r.name,
      kind: r.kind,
      events: input.events,
      allDatabases: input.allDatabases,
      databaseIds: input.allDatabases ? [] : input.databaseIds,
      enabled: input.enabled,
      secretFields: r.secretFields,
      secretsDropped: r.secretsDropped,
    }),
  },
});

export const deleteAlertChannelCommand = defineCommand({
  name: "alerts.delete-channel",
  role: "admin",
  input: channelIdSchema,
  handler: (input) => deleteChannel(input),
  audit: {
    action: "alert_channel.delete",
    targetType: "alert_channel",
    targetId: (_, r) => r.id,
    detail: (_, r) => ({ name: r.name }),
  },
});

// The server reaches out to the channel's address, so the attempt is recorded too.
export const testAlertChannelCommand = defineCommand({
  name: "alerts.test-channel",
  role: "admin",
  input: channelIdSchema,
  handler: (input, user) => testChannel(input, user.email),
  audit: {
    action: "alert_channel.test",
    targetType: "alert_channel",
    targetId: (input) => input.id,
    detail: (_, r) => ({ ok: r.ok, deliveryId: r.deliveryId }),
  },
});
