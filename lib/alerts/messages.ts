import { z } from "zod";
import { ALERT_EVENT_DISPLAY, alertEventSchema, type AlertEvent } from "@/lib/alerts/events";
import { DELIVERY_KINDS, type DeliveryKind } from "@/lib/alerts/states";

// One message, as stored on its delivery (AlertDelivery.payload) and rendered for each kind of
// channel. Fixed when the delivery is created, so every retry sends the same words.

export const alertMessageSchema = z.object({
  type: z.enum(DELIVERY_KINDS),
  /** "test" only on a test message. */
  event: z.union([alertEventSchema, z.literal("test")]),
  title: z.string(),
  message: z.string(),
  database: z.string().nullable(),
  subject: z.string().nullable(),
  incidentId: z.string().nullable(),
  openedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** A page of the console to open, when its public URL is known (NEXTAUTH_URL). */
  link: z.string().nullable(),
});
export type AlertMessage = z.output<typeof alertMessageSchema>;

export function buildMessage(input: {
  type: DeliveryKind;
  event: AlertEvent | "test";
  message: string;
  database: string | null;
  subject?: string | null;
  incidentId?: string | null;
  openedAt?: Date | null;
  resolvedAt?: Date | null;
  link?: string | null;
}): AlertMessage {
  const label = input.event === "test" ? "Test" : ALERT_EVENT_DISPLAY[input.event].label;
  const where = input.database ? `: ${input.database}` : "";
  const title =
    input.type === "test"
      ? "Test message from Lifeboat"
      : input.type === "resolved"
        ? `Resolved: ${label}${where}`
        : `${label}${where}`;
  return {
    type: input.type,
    event: input.event,
    title,
    message: input.message,
    database: input.database,
    subject: input.subject ?? null,
    incidentId: input.incidentId ?? null,
    openedAt: input.openedAt?.toISOString() ?? null,
    resolvedAt: input.resolvedAt?.toISOString() ?? null,
    link: input.link ?? null,
  };
}

const SYMBOL: Record<DeliveryKind, string> = { alert: "🔴", resolved: "✅", test: "🔔" };

/** Slack's incoming webhook body: plain text (mrkdwn) that reads well in a notification too. */
export function slackBody(m: AlertMessage): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const lines = [`${SYMBOL[m.type]} *${escape(m.title)}*`, escape(m.message)];
  if (m.openedAt && m.type !== "test") lines.push(`Open since ${m.openedAt}`);
  if (m.link) lines.push(`<${m.link}|Open Lifeboat>`);
  return JSON.stringify({ text: lines.join("\n") });
}

/** The generic webhook's JSON body (what the README documents). */
export function webhookBody(m: AlertMessage): string {
  return JSON.stringify({ source: "lifeboat", ...m });
}

/** The e-mail: subject and plain-text body. */
export function emailContent(m: AlertMessage): { subject: string; text: string } {
  const prefix = m.type === "alert" ? "[Lifeboat ALERT]" : m.type === "resolved" ? "[Lifeboat resolved]" : "[Lifeboat]";
  // A header cannot carry a line break (it would start another header).
  const subject = `${prefix} ${m.title}`.replace(/[\r\n]+/g, " ").slice(0, 200);
  const lines = [m.title, "", m.message, ""];
  if (m.database) lines.push(`Database: ${m.database}`);
  if (m.openedAt && m.type !== "test") lines.push(`Open since: ${m.openedAt}`);
  if (m.resolvedAt) lines.push(`Resolved at: ${m.resolvedAt}`);
  if (m.link) lines.push(`Open Lifeboat: ${m.link}`);
  if (m.incidentId) lines.push(`Incident: ${m.incidentId}`);
  return { subject, text: lines.join("\n") };
}
