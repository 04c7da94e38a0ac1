import { UserError } from "@/lib/errors";

// The application's health and readiness endpoints after a restore onto new infrastructure:
// GET each URL (5 s each), expect a 2xx answer. Redirects are not followed: a health check
// that redirects (to a sign-in page, say) does not say the application is healthy.

export const HEALTH_TIMEOUT_MS = 5_000;

export type HealthCheck = { url: string; ok: boolean; status: number | null; latencyMs: number; detail: string };

/** Checks the URLs at plan time: http(s) only. Returns them normalized. */
export function checkHealthUrls(urls: readonly string[]): string[] {
  return urls.map((u) => {
    let parsed: URL;
    try {
      parsed = new URL(u.trim());
    } catch {
      throw new UserError(`Not a URL: ${JSON.stringify(u)}. Write health URLs as http(s)://host/path.`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw new UserError(`Only http and https health URLs can be checked: ${parsed.protocol}`);
    return parsed.toString();
  });
}

/** The URL without user:password@ (for the log). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    return u.toString();
  } catch {
    return url;
  }
}

function reason(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError") return `no answer within ${HEALTH_TIMEOUT_MS / 1000} s`;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === "ECONNREFUSED") return "connection refused (is the application running?)";
    if (cause?.code === "ENOTFOUND") return "the host name does not resolve (DNS)";
    return cause?.message ?? e.message;
  }
  return String(e);
}

export async function checkUrl(url: string, signal?: AbortSignal): Promise<HealthCheck> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: "GET",
      redirect: "manual",
      cache: "no-store",
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await res.body?.cancel().catch(() => {});
    const latencyMs = Math.round(performance.now() - started);
    const ok = res.status >= 200 && res.status < 300;
    const detail = ok
      ? `HTTP ${res.status} in ${latencyMs} ms`
      : res.status >= 300 && res.status < 400
        ? `HTTP ${res.status} (a redirect${res.headers.get("location") ? ` to ${displayUrl(res.headers.get("location") ?? "")}` : ""}) in ${latencyMs} ms: expected 2xx`
        : `HTTP ${res.status} in ${latencyMs} ms: expected 2xx`;
    return { url: displayUrl(url), ok, status: res.status, latencyMs, detail };
  } catch (e) {
    signal?.throwIfAborted();
    const latencyMs = Math.round(performance.now() - started);
    return { url: displayUrl(url), ok: false, status: null, latencyMs, detail: reason(e) };
  }
}
