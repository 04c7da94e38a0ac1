import { expect, test } from "vitest";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

const ORIGIN = "https://lifeboat.example.org";

test.each([
  "/\\evil.com",
  "/\\\\evil.com",
  "//evil.com",
  "///evil.com",
  "https://evil.com",
  "http://lifeboat.example.org.evil.com/",
  "/%5Cevil.com",
  "\\/evil.com",
  "\\\\evil.com",
  "javascript:alert(1)",
  "JavaScript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/\t/evil.com",
  "/\n/evil.com",
  " //evil.com",
  "\t//evil.com",
  "http://lifeboat.example.org/", // same host, other scheme: another origin
  "https://user@evil.com",
  "",
  undefined,
])("hostile or empty callback %j goes to the dashboard", (raw) => {
  const safe = safeCallbackUrl(raw, ORIGIN);
  expect(safe).toBe("/");
  expect(new URL(safe, "https://other.test").host).toBe("other.test");
});

test.each([
  ["/", "/"],
  ["/backups", "/backups"],
  ["/restores/abc?tab=log#step-2", "/restores/abc?tab=log#step-2"],
  ["https://lifeboat.example.org/drills", "/drills"],
  ["/settings/users?q=a%2Fb", "/settings/users?q=a%2Fb"],
  // The URL parser reads a scheme-relative path of the same scheme as a path on this origin.
  ["https:evil.com", "/evil.com"],
])("same-origin callback %j is kept as the path %j", (raw, expected) => {
  expect(safeCallbackUrl(raw, ORIGIN)).toBe(expected);
});

test("every accepted callback, resolved anywhere, stays on that origin", () => {
  for (const raw of ["/\\evil.com", "/%5Cevil.com", "/backups", "/\t/evil.com"]) {
    const safe = safeCallbackUrl(raw, ORIGIN);
    expect(new URL(safe, ORIGIN).origin).toBe(ORIGIN);
    expect(safe.startsWith("/") && !safe.startsWith("//") && !safe.startsWith("/\\")).toBe(true);
  }
});
