import { z } from "zod";
import { CHANNEL_KINDS, SMTP_TLS_MODES, type ChannelInput, type ChannelKind } from "@/lib/alerts/schemas";

// Splits a channel's settings into what may be shown (AlertChannel.config) and what may not
// (sealed into AlertChannel.secrets), and decides which stored secrets an edit keeps. Pure: the
// caller seals and unseals.

export const storedChannelConfigSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("slack"), origin: z.string() }),
  z.object({ kind: z.literal("webhook"), origin: z.string() }),
  z.object({
    kind: z.literal("email"),
    host: z.string(),
    port: z.number().int(),
    tls: z.enum(SMTP_TLS_MODES),
    user: z.string().nullable(),
    from: z.string(),
    to: z.array(z.string()),
  }),
]);
export type StoredChannelConfig = z.output<typeof storedChannelConfigSchema>;

/** AlertChannel.secrets once unsealed. */
export const channelSecretsSchema = z.object({
  url: z.string().optional(),
  signingSecret: z.string().optional(),
  password: z.string().optional(),
});
export type ChannelSecrets = z.output<typeof channelSecretsSchema>;

export const SECRET_FIELD_LABELS: Record<keyof ChannelSecrets, string> = {
  url: "URL",
  signingSecret: "signing secret",
  password: "password",
};

export function storedChannelKind(kind: string): ChannelKind {
  if ((CHANNEL_KINDS as readonly string[]).includes(kind)) return kind as ChannelKind;
  throw new Error(`unknown alert channel kind ${kind.slice(0, 20)}`);
}

/** scheme://host:port only: the path and query of a webhook URL often are its token. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** Where a channel's messages go: a stored secret is kept only while this stays the same. */
export function addressOf(config: StoredChannelConfig): string {
  if (config.kind === "email") return JSON.stringify([config.host.toLowerCase(), config.port, config.user]);
  return config.origin;
}

export type MergedChannel = {
  publicConfig: StoredChannelConfig;
  secrets: ChannelSecrets;
  /** Stored secrets forgotten because the address changed and none was typed. */
  dropped: (keyof ChannelSecrets)[];
};

export class MissingSecretError extends Error {
  constructor(
    public readonly field: keyof ChannelSecrets,
    message: string,
  ) {
    super(message);
    this.name = "MissingSecretError";
  }
}

/**
 * The channel as it will be stored. An empty secret input keeps the stored one only when the
 * kind and the address (URL origin; SMTP host, port and user) are unchanged, so an admin cannot
 * send a stored password or signing secret to an address of their choosing.
 */
export function mergeChannel(
  existing: { config: StoredChannelConfig; secrets: ChannelSecrets } | null,
  input: ChannelInput,
): MergedChannel {
  const sameKind = existing?.config.kind === input.kind;
  const stored: ChannelSecrets = sameKind && existing ? existing.secrets : {};
  if (input.kind === "slack" || input.kind === "webhook") {
    const url = input.url ?? stored.url;
    if (!url)
      throw new MissingSecretError(
        "url",
        input.kind === "slack" ? "Paste the Slack incoming webhook URL" : "Enter the URL that receives the alerts",
      );
    const publicConfig: StoredChannelConfig = { kind: input.kind, origin: originOf(url) };
    const sameAddress = sameKind && existing ? addressOf(existing.config) === addressOf(publicConfig) : false;
    if (input.kind === "slack") return { publicConfig, secrets: { url }, dropped: [] };
    const signingSecret = input.signingSecret ?? (sameAddress ? stored.signingSecret : undefined);
    if (!signingSecret)
      throw new MissingSecretError(
        "signingSecret",
        stored.signingSecret
          ? "The URL now points at another server: type the signing secret again (the stored one stays with the old address)"
          : "Enter a signing secret (or press Generate) and give it to the receiver to check signatures",
      );
    return { publicConfig, secrets: { url, signingSecret }, dropped: [] };
  }
  const publicConfig: StoredChannelConfig = {
    kind: "email",
    host: input.host,
    port: input.port,
    tls: input.tls,
    user: input.user ?? null,
    from: input.from,
    to: input.to,
  };
  const sameAddress = sameKind && existing ? addressOf(existing.config) === addressOf(publicConfig) : false;
  const password = input.password ?? (sameAddress ? stored.password : undefined);
  const dropped: (keyof ChannelSecrets)[] = stored.password && !password ? ["password"] : [];
  return { publicConfig, secrets: password ? { password } : {}, dropped };
}
