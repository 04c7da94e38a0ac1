import { createHmac, timingSafeEqual } from "node:crypto";

// How a generic webhook proves it came from this console: HMAC-SHA256, keyed with the channel's
// signing secret, over "<timestamp>.<raw body>". The timestamp (Unix seconds) is signed too, so
// a captured request cannot be replayed later than the receiver's tolerance; the delivery id
// header lets a receiver drop a retry it already processed.

export const SIGNATURE_HEADER = "x-lifeboat-signature";
export const TIMESTAMP_HEADER = "x-lifeboat-timestamp";
export const DELIVERY_HEADER = "x-lifeboat-delivery";
/** How far a receiver should accept a timestamp from its own clock (the README's example uses it). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The X-Lifeboat-Signature value: "sha256=<hex>". */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * What a receiver does (documented in the README; the tests' receiver uses it): recompute the
 * signature over the raw body, compare in constant time, refuse a stale or future timestamp.
 */
export function verifySignature(input: {
  secret: string;
  body: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  nowSeconds?: number;
  toleranceSeconds?: number;
}): { ok: true } | { ok: false; reason: string } {
  const ts = Number(input.timestamp);
  if (!input.timestamp || !Number.isInteger(ts)) return { ok: false, reason: "missing or malformed timestamp" };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS))
    return { ok: false, reason: "timestamp outside the tolerance (a replay, or a clock far off)" };
  const expected = Buffer.from(signBody(input.secret, ts, input.body));
  const given = Buffer.from(input.signature ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "signature does not match" };
  return { ok: true };
}
