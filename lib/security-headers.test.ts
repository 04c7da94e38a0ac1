import { expect, test } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

const header = (headers: { key: string; value: string }[], key: string) => headers.find((h) => h.key === key)?.value;

test("production's policy has no unsafe-eval, forbids framing and plugins", () => {
  const csp = contentSecurityPolicy({ production: true, https: false });
  expect(csp).not.toContain("unsafe-eval");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("default-src 'self'");
  expect(csp).not.toContain("ws:");
});

test("development allows what hot reload needs", () => {
  const csp = contentSecurityPolicy({ production: false, https: false });
  expect(csp).toContain("'unsafe-eval'");
  expect(csp).toContain("ws:");
});

test.each([
  [true, "max-age=63072000; includeSubDomains"],
  [false, undefined],
])("https %s: HSTS %s", (https, hsts) => {
  const headers = securityHeaders({ production: true, https });
  expect(header(headers, "Strict-Transport-Security")).toBe(hsts);
  expect(header(headers, "Content-Security-Policy")?.includes("upgrade-insecure-requests")).toBe(https);
  expect(header(headers, "X-Content-Type-Options")).toBe("nosniff");
  expect(header(headers, "Referrer-Policy")).toBe("same-origin");
  expect(header(headers, "X-Frame-Options")).toBe("DENY");
});
