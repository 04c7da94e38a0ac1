import "server-only";
import { db } from "@/lib/db";

// Sign-in rate limits, kept in Lifeboat's database so every console process shares them and a
// restart forgets nothing. An attempt is counted BEFORE its password is checked, by one atomic
// upsert that returns the new count, so parallel attempts cannot all slip under the limit.
//
// Lock-out of a real user (anyone can type an admin's e-mail) is limited two ways:
// - the account limit is a short back-off (5 attempts per 5 minutes), not a long lock: keeping
//   an account locked takes a steady stream of attempts;
// - an address over its own limit is refused before it touches the account's count, so one
//   address cannot keep someone else's account locked; it takes many addresses.
export const SIGN_IN_LIMITS = {
  account: { max: 5, windowMs: 5 * 60 * 1000 },
  ip: { max: 20, windowMs: 15 * 60 * 1000 },
} as const;

type Limit = { max: number; windowMs: number };

/** Counts one attempt under `key` and returns the count in the current window, atomically. */
async function countAttempt(key: string, limit: Limit, nowMs: number): Promise<number> {
  const expired = BigInt(nowMs - limit.windowMs);
  const rows = await db.$queryRaw<{ count: number | bigint }[]>`
    INSERT INTO "SignInLimit" ("key", "windowStartMs", "count") VALUES (${key}, ${BigInt(nowMs)}, 1)
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "SignInLimit"."windowStartMs" <= ${expired} THEN 1 ELSE "SignInLimit"."count" + 1 END,
      "windowStartMs" = CASE WHEN "SignInLimit"."windowStartMs" <= ${expired}
        THEN excluded."windowStartMs" ELSE "SignInLimit"."windowStartMs" END
    RETURNING "count"`;
  return Number(rows[0]?.count ?? Number.MAX_SAFE_INTEGER);
}

export type SignInGate = { allowed: true } | { allowed: false; limitedBy: "ip" | "account" };

/** Reserves one sign-in attempt for this e-mail from this address; refused when either is over its limit. */
export async function reserveSignInAttempt(email: string, ip: string, nowMs = Date.now()): Promise<SignInGate> {
  if ((await countAttempt(`ip:${ip}`, SIGN_IN_LIMITS.ip, nowMs)) > SIGN_IN_LIMITS.ip.max) {
    return { allowed: false, limitedBy: "ip" };
  }
  if ((await countAttempt(`account:${email}`, SIGN_IN_LIMITS.account, nowMs)) > SIGN_IN_LIMITS.account.max) {
    return { allowed: false, limitedBy: "account" };
  }
  return { allowed: true };
}

/** A successful sign-in clears the account's count and gives its attempt back to the address. */
export async function signInSucceeded(email: string, ip: string): Promise<void> {
  await db.$transaction([
    db.signInLimit.deleteMany({ where: { key: `account:${email}` } }),
    db.signInLimit.updateMany({ where: { key: `ip:${ip}`, count: { gt: 0 } }, data: { count: { decrement: 1 } } }),
  ]);
}

/**
 * The client's address as the nearest proxy reports it: the last X-Forwarded-For entry. Without a
 * proxy in front, a client can send its own header, so the per-address limit then only slows
 * naive clients; the per-account limit holds regardless.
 */
export function clientAddress(headers: Record<string, unknown> | undefined): string {
  const raw = headers?.["x-forwarded-for"] ?? headers?.["x-real-ip"];
  const value = Array.isArray(raw) ? raw.join(",") : typeof raw === "string" ? raw : "";
  const last = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .pop();
  return last ?? "unknown";
}
