import "server-only";
import { db } from "@/lib/db";
import { parseStoredJson } from "@/lib/stored-json";
import { channelConfig, channelSecrets } from "@/lib/alerts/channel-store";
import { alertMessageSchema } from "@/lib/alerts/messages";
import { sendToChannel, type SendResult } from "@/lib/alerts/send";
import type { DeliveryStatus } from "@/lib/alerts/states";

// Sends what is due: each delivery is claimed by one caller (a conditional update), sent, and
// its attempt recorded. A failure waits base × 2^(attempt−1) (capped) before the next try; after
// maxAttempts the delivery is "failed" and the log says why. A console that stops mid-send
// finds the claimed delivery again once the claim is older than claimTimeoutMs (at least once).

export type AlertTimings = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; claimTimeoutMs: number };

const DEFAULTS: AlertTimings = {
  maxAttempts: 6,
  baseDelayMs: 30_000,
  maxDelayMs: 30 * 60_000,
  claimTimeoutMs: 2 * 60_000,
};
let current: AlertTimings = { ...DEFAULTS };

export function alertTimings(): AlertTimings {
  return current;
}

/** Tests shorten the backoff; returns the previous timings. */
export function configureAlertTimings(next: Partial<AlertTimings>): AlertTimings {
  const previous = current;
  current = { ...current, ...next };
  return previous;
}

/** The wait after the given failed attempt (1-based). */
export function backoffMs(attempt: number, t: AlertTimings = current): number {
  return Math.min(t.baseDelayMs * 2 ** Math.max(0, attempt - 1), t.maxDelayMs);
}

const BATCH = 25;

async function dueIds(now: Date): Promise<string[]> {
  const rows = await db.alertDelivery.findMany({
    where: {
      OR: [
        { status: "pending" satisfies DeliveryStatus, nextAttemptAt: { lte: now } },
        {
          status: "sending" satisfies DeliveryStatus,
          claimedAt: { lt: new Date(now.getTime() - current.claimTimeoutMs) },
        },
      ],
    },
    orderBy: { nextAttemptAt: "asc" },
    take: BATCH,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

type DeliveryWithChannel = NonNullable<
  Awaited<ReturnType<typeof db.alertDelivery.findUnique<{ where: { id: string }; include: { channel: true } }>>>
>;

/** Claims, sends and records one delivery; false when another caller had it. */
async function deliverOne(id: string, now: Date): Promise<boolean> {
  const row = await db.alertDelivery.findUnique({ where: { id }, include: { channel: true } });
  if (!row) return false;
  const { count } = await db.alertDelivery.updateMany({
    where: { id, status: row.status, claimedAt: row.claimedAt, attempts: row.attempts },
    data: { status: "sending" satisfies DeliveryStatus, claimedAt: now },
  });
  if (count !== 1) return false;
  await sendClaimed(row, now, true);
  return true;
}

/** Sends a delivery this caller holds and records the attempt; without retry a failure is final. */
async function sendClaimed(row: DeliveryWithChannel, now: Date, retry: boolean): Promise<SendResult> {
  const started = Date.now();
  let result: SendResult;
  try {
    const message = parseStoredJson(row.payload, alertMessageSchema, "alert message (AlertDelivery.payload)");
    result = await sendToChannel(
      { config: channelConfig(row.channel), secrets: channelSecrets(row.channel) },
      message,
      row.id,
    );
  } catch (e) {
    console.error("[lifeboat] an alert delivery failed unexpectedly:", e);
    result = {
      ok: false,
      error:
        e instanceof Error && (e.name === "DecryptError" || e.name === "StoredDataError")
          ? e.message
          : "Sending failed unexpectedly; the details are in the server log.",
    };
  }
  const attempts = row.attempts + 1;
  const durationMs = Date.now() - started;
  const status: DeliveryStatus = result.ok
    ? "delivered"
    : !retry || attempts >= current.maxAttempts
      ? "failed"
      : "pending";
  await db.$transaction([
    db.alertDeliveryAttempt.create({
      data: { deliveryId: row.id, at: now, ok: result.ok, durationMs, error: result.ok ? null : result.error },
    }),
    db.alertDelivery.update({
      where: { id: row.id },
      data: {
        status,
        attempts,
        claimedAt: null,
        lastError: result.ok ? null : result.error,
        deliveredAt: result.ok ? now : null,
        nextAttemptAt: status === "pending" ? new Date(now.getTime() + backoffMs(attempts)) : row.nextAttemptAt,
      },
    }),
  ]);
  return result;
}

/**
 * A test message, sent at once while the admin waits, and not retried: its result is the
 * answer shown next to the button (a retry later would surprise whoever reads the channel).
 */
export async function sendTestNow(deliveryId: string): Promise<SendResult> {
  const now = new Date();
  const { count } = await db.alertDelivery.updateMany({
    where: { id: deliveryId, status: "pending" satisfies DeliveryStatus, attempts: 0 },
    data: { status: "sending" satisfies DeliveryStatus, claimedAt: now },
  });
  const row = await db.alertDelivery.findUnique({ where: { id: deliveryId }, include: { channel: true } });
  if (count !== 1 || !row) return { ok: false, error: "This test was already sent; see the delivery log." };
  return sendClaimed(row, now, false);
}

/** Sends every delivery due at `now` (tests pass their clock); returns how many were tried. */
export async function deliverDue(opts: { now?: Date } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  let tried = 0;
  for (;;) {
    const ids = await dueIds(now);
    if (ids.length === 0) return tried;
    const done = await Promise.all(ids.map((id) => deliverOne(id, now)));
    const claimed = done.filter(Boolean).length;
    tried += claimed;
    if (claimed === 0) return tried;
  }
}

let running: Promise<void> | null = null;
let again = false;
let kickedAt: Date | undefined;

/**
 * Sends what is due in the background (at `now`, a test's clock, else the wall clock); a call
 * during a round starts one more round after it.
 */
export function kickDeliveries(now?: Date): void {
  kickedAt = now;
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    do {
      again = false;
      await deliverDue({ now: kickedAt }).catch((e: unknown) =>
        console.error("[lifeboat] alert deliveries failed:", e),
      );
    } while (again);
  })().finally(() => {
    running = null;
  });
}

/** Waits for the background round (tests, and a clean shutdown). */
export async function deliveriesSettled(): Promise<void> {
  while (running) await running;
}
