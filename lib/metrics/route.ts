import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { collectMetrics } from "@/lib/metrics/collect";
import { CONTENT_TYPE } from "@/lib/metrics/prometheus";

// GET /metrics for Prometheus. Not a session route: a scraper has a bearer token
// (LIFEBOAT_METRICS_TOKEN). Without the variable the endpoint does not exist (404), so an install
// that never set it exposes nothing; a missing or wrong token gets 401 and no figures.

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

function tokenMatches(header: string | null, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  // Compared as digests of equal length, in constant time.
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

/** `configured`: the token to expect (tests pass theirs; null: none configured). */
export async function metricsResponse(req: Request, configured?: string | null): Promise<Response> {
  const token = configured === undefined ? env().LIFEBOAT_METRICS_TOKEN : configured;
  const headers = { "cache-control": "no-store" };
  if (!token) return new Response("Not found\n", { status: 404, headers });
  if (!tokenMatches(req.headers.get("authorization"), token))
    return new Response("A bearer token (LIFEBOAT_METRICS_TOKEN) is required.\n", {
      status: 401,
      headers: { ...headers, "www-authenticate": 'Bearer realm="lifeboat-metrics"' },
    });
  try {
    return new Response(await collectMetrics(), { headers: { ...headers, "content-type": CONTENT_TYPE } });
  } catch (e) {
    console.error("[lifeboat] /metrics failed:", e);
    return new Response("The metrics could not be read; the details are in the server log.\n", {
      status: 500,
      headers,
    });
  }
}
