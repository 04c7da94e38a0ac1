import { afterAll, expect, test, vi } from "vitest";

// proxy.ts reads the environment once (lib/env.ts): a console in production behind https.
vi.stubEnv("NEXTAUTH_URL", "https://lifeboat.example.test");
vi.stubEnv("NODE_ENV", "production");
// The worker may run other test files next: they get the environment back.
afterAll(() => vi.unstubAllEnvs());

const { proxy } = await import("@/proxy");

test("every response of an https console in production: CSP without unsafe-eval, no framing, HSTS", () => {
  const headers = proxy().headers;
  const csp = headers.get("content-security-policy") ?? "";
  expect(csp).not.toContain("unsafe-eval");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("upgrade-insecure-requests");
  expect(headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
  expect(headers.get("x-frame-options")).toBe("DENY");
  expect(headers.get("x-content-type-options")).toBe("nosniff");
});
