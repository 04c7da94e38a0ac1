import "server-only";
import nodemailer from "nodemailer";
import type { ChannelSecrets, StoredChannelConfig } from "@/lib/alerts/channel-config";
import { emailContent, slackBody, webhookBody, type AlertMessage } from "@/lib/alerts/messages";
import { DELIVERY_HEADER, signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "@/lib/alerts/signature";

// Sends one message to one channel, once. Retries are the caller's (lib/alerts/deliveries.ts).
// An error says what happened in words that never carry a secret: a webhook URL's path and
// query (its token) and the SMTP password stay out, and the receiver's body is not echoed.

const TIMEOUT_MS = 10_000;

export type SendResult = { ok: true } | { ok: false; error: string };

export type SendableChannel = { config: StoredChannelConfig; secrets: ChannelSecrets };

function networkProblem(e: unknown, origin: string): string {
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : null;
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError"))
    return `${origin} did not answer within ${TIMEOUT_MS / 1000} s.`;
  if (code === "ECONNREFUSED") return `${origin} refused the connection: is the receiver running?`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `The host of ${origin} was not found: check the URL.`;
  if (code?.startsWith("ERR_TLS") || code?.includes("CERT"))
    return `The TLS certificate of ${origin} was not accepted (${code}).`;
  return `Could not reach ${origin}${code ? ` (${code})` : ""}.`;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<SendResult> {
  const origin = new URL(url).origin;
  try {
    const res = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "user-agent": "Lifeboat-Alerts", ...headers },
      // A redirect would send the message (and its signature) somewhere nobody configured.
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true };
    if (res.status >= 300 && res.status < 400)
      return { ok: false, error: `${origin} answered with a redirect (HTTP ${res.status}); use the final URL.` };
    return { ok: false, error: `${origin} answered HTTP ${res.status}.` };
  } catch (e) {
    return { ok: false, error: networkProblem(e, origin) };
  }
}

async function sendMail(
  config: Extract<StoredChannelConfig, { kind: "email" }>,
  password: string | undefined,
  m: AlertMessage,
): Promise<SendResult> {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.tls === "tls",
    requireTLS: config.tls === "starttls",
    ignoreTLS: config.tls === "none",
    auth: config.user ? { user: config.user, pass: password ?? "" } : undefined,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    const { subject, text } = emailContent(m);
    await transport.sendMail({ from: config.from, to: config.to, subject, text });
    return { ok: true };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const safe = (password ? raw.split(password).join("***") : raw).slice(0, 300);
    return { ok: false, error: `The SMTP server ${config.host}:${config.port} refused or failed: ${safe}` };
  } finally {
    transport.close();
  }
}

export async function sendToChannel(
  channel: SendableChannel,
  m: AlertMessage,
  deliveryId: string,
): Promise<SendResult> {
  const { config, secrets } = channel;
  if (config.kind === "email") return sendMail(config, secrets.password, m);
  if (!secrets.url) return { ok: false, error: "This channel has no URL stored: edit it and enter the URL again." };
  if (config.kind === "slack") return post(secrets.url, slackBody(m), {});
  if (!secrets.signingSecret)
    return { ok: false, error: "This webhook has no signing secret stored: edit it and enter one." };
  const body = webhookBody(m);
  // The wall clock, never a test's clock: the receiver compares it with its own.
  const timestamp = Math.floor(Date.now() / 1000);
  return post(secrets.url, body, {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signBody(secrets.signingSecret, timestamp, body),
    [DELIVERY_HEADER]: deliveryId,
  });
}
