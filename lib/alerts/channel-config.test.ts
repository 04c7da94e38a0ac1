import { expect, test } from "vitest";
import { mergeChannel, MissingSecretError, type StoredChannelConfig } from "@/lib/alerts/channel-config";
import { channelInputSchema } from "@/lib/alerts/schemas";
import { backoffMs } from "@/lib/alerts/deliveries";

const mail = (over: Record<string, unknown> = {}) =>
  channelInputSchema.parse({
    kind: "email",
    host: "smtp.example.com",
    port: 587,
    tls: "starttls",
    user: "alerts",
    from: "lifeboat@example.com",
    to: "a@example.com, b@example.com",
    ...over,
  });
const storedMail = (): { config: StoredChannelConfig; secrets: { password: string } } => ({
  config: mergeChannel(null, mail({ password: "pw" })).publicConfig,
  secrets: { password: "pw" },
});

test.each([
  ["the host", { host: "smtp.attacker.example" }],
  ["the port", { port: 2525 }],
  ["the user", { user: "someone-else" }],
])("changing %s forgets the stored SMTP password", (_, change) => {
  const merged = mergeChannel(storedMail(), mail(change));
  expect(merged.secrets.password).toBeUndefined();
  expect(merged.dropped).toEqual(["password"]);
});

test("editing the recipients keeps the stored password; typing one replaces it", () => {
  expect(mergeChannel(storedMail(), mail({ to: "c@example.com" })).secrets.password).toBe("pw");
  expect(mergeChannel(storedMail(), mail({ host: "other.example", password: "new" })).secrets.password).toBe("new");
});

test("a webhook keeps its signing secret on the same origin and needs it again on another", () => {
  const input = (url?: string, signingSecret?: string) =>
    channelInputSchema.parse({ kind: "webhook", url, signingSecret });
  const first = mergeChannel(null, input("https://hooks.example.com/a?token=t", "s".repeat(20)));
  expect(first.publicConfig).toEqual({ kind: "webhook", origin: "https://hooks.example.com" });
  const existing = { config: first.publicConfig, secrets: first.secrets };
  expect(mergeChannel(existing, input()).secrets).toEqual(first.secrets);
  expect(mergeChannel(existing, input("https://hooks.example.com/b")).secrets.signingSecret).toBe("s".repeat(20));
  expect(() => mergeChannel(existing, input("https://elsewhere.example/a"))).toThrow(MissingSecretError);
});

test("a new Slack channel needs its URL", () => {
  expect(() => mergeChannel(null, channelInputSchema.parse({ kind: "slack", url: "" }))).toThrow(/Slack/);
});

test("the backoff doubles from the base and stops at the cap", () => {
  const t = { maxAttempts: 6, baseDelayMs: 30_000, maxDelayMs: 300_000, claimTimeoutMs: 1 };
  expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, t))).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
});
