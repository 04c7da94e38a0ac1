import { NextResponse } from "next/server";
import { env } from "@/lib/env";
import { securityHeaders } from "@/lib/security-headers";

// Only sets response headers. Never an authorization check: every query, action and route
// authorizes itself. Here rather than in next.config.js because HSTS depends on NEXTAUTH_URL at
// run time, not at build time.
export function proxy() {
  const e = env();
  const response = NextResponse.next();
  for (const { key, value } of securityHeaders({
    production: e.NODE_ENV === "production",
    https: e.NEXTAUTH_URL?.startsWith("https:") ?? false,
  })) {
    response.headers.set(key, value);
  }
  return response;
}
