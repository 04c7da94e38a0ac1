import { z } from "zod";
import { alertEventSchema } from "@/lib/alerts/events";

// What an admin types for an alert channel. Secret fields (the webhook URLs, which carry the
// receiver's token, the signing secret and the SMTP password) are write-only: an empty one on an
// edit keeps what is stored, as long as the channel still points at the same address.

export const CHANNEL_KINDS = ["slack", "webhook", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CHANNEL_KIND_LABELS: Record<ChannelKind, string> = {
  slack: "Slack (incoming webhook)",
  webhook: "Webhook (signed JSON)",
  email: "E-mail (SMTP)",
};

export const SMTP_TLS_MODES = ["starttls", "tls", "none"] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/**
 * A receiver's URL: http or https only, no user name or password in it (fetch refuses them, and
 * they would be a second secret in a field shown back as its origin).
 */
export const receiverUrlSchema = z
  .string()
  .trim()
  .max(2_000, { message: "Use at most 2000 characters" })
  .superRefine((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL starting with https:// (or http://)" });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      ctx.addIssue({ code: "custom", message: "Only http:// and https:// URLs can receive alerts" });
    else if (url.username || url.password)
      ctx.addIssue({
        code: "custom",
        message: "Leave the user name and password out of the URL; the webhook is authenticated by its signature",
      });
  });

const optionalSecret = (schema: z.ZodType<string>) => z.preprocess(emptyToUndefined, schema.optional());

export const slackInputSchema = z.object({
  kind: z.literal("slack"),
  /** Empty on an edit: keep the stored URL. */
  url: optionalSecret(receiverUrlSchema),
});

export const webhookInputSchema = z.object({
  kind: z.literal("webhook"),
  url: optionalSecret(receiverUrlSchema),
  signingSecret: optionalSecret(
    z
      .string()
      .min(16, { message: "Use at least 16 characters (the Generate button makes 32 random bytes)" })
      .max(200, { message: "Use at most 200 characters" }),
  ),
});

const emailAddress = z.email({ message: "Enter an e-mail address" });

export const emailInputSchema = z.object({
  kind: z.literal("email"),
  host: z
    .string()
    .trim()
    .min(1, { message: "Enter the SMTP server's host name" })
    .max(253)
    .regex(/^[A-Za-z0-9.:[\]-]+$/, { message: "Enter a host name or IP address, without a scheme or path" }),
  port: z.coerce
    .number({ message: "Enter a port number" })
    .int({ message: "Enter a whole port number" })
    .min(1, { message: "Use a port from 1 to 65535" })
    .max(65_535, { message: "Use a port from 1 to 65535" }),
  tls: z.enum(SMTP_TLS_MODES),
  user: z.preprocess(emptyToUndefined, z.string().trim().max(200).optional()),
  password: optionalSecret(z.string().max(500)),
  from: emailAddress,
  to: z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(/[,;\s]+/)
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z
      .array(emailAddress)
      .min(1, { message: "Enter at least one recipient" })
      .max(20, { message: "Use at most 20 recipients; a mailing list is easier to keep" }),
  ),
});

export const channelInputSchema = z.discriminatedUnion("kind", [
  slackInputSchema,
  webhookInputSchema,
  emailInputSchema,
]);
export type ChannelInput = z.output<typeof channelInputSchema>;

export const saveChannelSchema = z
  .object({
    /** Absent: create. */
    id: z.string().optional(),
    name: z.string().trim().min(1, { message: "Enter a name" }).max(80, { message: "Use at most 80 characters" }),
    enabled: z.boolean().default(true),
    events: z.array(alertEventSchema).min(1, { message: "Choose at least one event" }),
    allDatabases: z.boolean(),
    databaseIds: z.array(z.string().min(1)).max(500).default([]),
    config: channelInputSchema,
  })
  .superRefine((v, ctx) => {
    if (!v.allDatabases && v.databaseIds.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["databaseIds"],
        message: "Choose at least one database, or send alerts for every database",
      });
  });
export type SaveChannelInput = z.input<typeof saveChannelSchema>;

export const channelIdSchema = z.object({ id: z.string().min(1) });
