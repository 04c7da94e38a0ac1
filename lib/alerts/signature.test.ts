import { expect, test } from "vitest";
import { signBody, verifySignature } from "@/lib/alerts/signature";

const secret = "a-signing-secret-of-32-characters!";
const body = JSON.stringify({ type: "alert", event: "rpo_breached" });
const now = 1_800_000_000;

test("a signature made with the secret verifies", () => {
  const signature = signBody(secret, now, body);
  expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(verifySignature({ secret, body, signature, timestamp: String(now), nowSeconds: now + 10 })).toEqual({
    ok: true,
  });
});

test.each([
  ["another secret", { secret: "another-secret-of-some-length" }],
  ["a changed body", { body: body.replace("rpo_breached", "backup_failed") }],
  ["a replayed request", { nowSeconds: now + 301 }],
  ["a moved timestamp", { timestamp: String(now + 1) }],
  ["no timestamp", { timestamp: null }],
  ["no signature", { signature: "" }],
])("refuses %s", (_, change) => {
  const signature = signBody(secret, now, body);
  const r = verifySignature({ secret, body, signature, timestamp: String(now), nowSeconds: now, ...change });
  expect(r.ok).toBe(false);
});
