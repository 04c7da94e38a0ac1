import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { UserError } from "@/lib/errors";
import { redactUrl } from "@/lib/format/url";

// The application's health and readiness endpoints after a restore onto new infrastructure:
// GET each URL (5 s each), expect a 2xx answer. Redirects are not followed: a health check
// that redirects (to a sign-in page, say) does not say the application is healthy.
//
// The console runs in the cloud with the keys to every backup: a health URL must not be a way
// to reach the cloud's metadata service (instance credentials) or anything else link-local.
// The address is checked where the connection is made (after DNS), so a name that resolves to
// such an address, or changes to one after the plan was made, is refused just the same.

export const HEALTH_TIMEOUT_MS = 5_000;

export type HealthCheck = { url: string; ok: boolean; status: number | null; latencyMs: number; detail: string };

const blocked = new net.BlockList();
blocked.addSubnet("169.254.0.0", 16, "ipv4"); // link-local; 169.254.169.254 is AWS/GCP/Azure metadata
blocked.addAddress("168.63.129.16", "ipv4"); // Azure's host endpoint (wireserver)
blocked.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
blocked.addSubnet("fe80::", 10, "ipv6"); // IPv6 link-local
blocked.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6

/** An IPv4 address written as IPv6 (::ffff:a9fe:a9fe or ::ffff:169.254.169.254), as IPv4. */
function mappedIpv4(address: string): string | null {
  const m = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(address);
  if (!m?.[1]) return null;
  if (net.isIPv4(m[1])) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(m[1]);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** True for link-local and cloud metadata addresses, which a health check may never reach. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = net.isIPv4(bare) ? bare : mappedIpv4(bare);
  if (v4) return blocked.check(v4, "ipv4");
  return net.isIPv6(bare) && blocked.check(bare, "ipv6");
}

function forbidden(host: string, address: string): string {
  return `${host === address ? address : `${host} resolves to ${address}, which`} is a link-local or cloud metadata address: health checks may not reach it. Use the application's own address.`;
}

/** Checks the URLs at plan time: http(s) only, no link-local or metadata address. Returns them normalized. */
export function checkHealthUrls(urls: readonly string[]): string[] {
  return urls.map((u) => {
    let parsed: URL;
    try {
      parsed = new URL(u.trim());
    } catch {
      throw new UserError(`Not a URL: ${JSON.stringify(redactUrl(u))}. Write health URLs as http(s)://host/path.`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw new UserError(`Only http and https health URLs can be checked: ${parsed.protocol}`);
    // A literal address is refused now; a name is checked when the step connects.
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    if (isForbiddenAddress(host))
      throw new UserError(`Health URL ${redactUrl(parsed.toString())}: ${forbidden(host, host)}`);
    return parsed.toString();
  });
}

/** The URL without its password or token (for the log, the plan and the run page). */
export function displayUrl(url: string): string {
  return redactUrl(url);
}

class ForbiddenAddressError extends Error {
  code = "EFORBIDDEN_ADDRESS";
}

type Resolver = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for http.request that refuses a name when any of its addresses is forbidden, so
 * the connection is only ever made to an address that was checked.
 */
export function guardedLookup(resolve: Resolver = dns.lookup): net.LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 4);
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (bad) return callback(new ForbiddenAddressError(forbidden(hostname, bad.address)), "", 4);
      if ((options as { all?: boolean }).all) {
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      }
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 4);
      callback(null, first.address, first.family);
    });
  };
}

function get(url: URL, signal: AbortSignal): Promise<{ status: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // A literal address is never looked up, so it is checked here.
    if (isForbiddenAddress(host)) return reject(new ForbiddenAddressError(forbidden(host, host)));
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      { method: "GET", signal, lookup: guardedLookup(), headers: { "user-agent": "Lifeboat health check" } },
      (res) => {
        resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null });
        res.destroy();
      },
    );
    request.on("error", reject);
    request.end();
  });
}

function reason(e: unknown, timedOut: boolean): string {
  if (timedOut) return `no answer within ${HEALTH_TIMEOUT_MS / 1000} s`;
  if (e instanceof ForbiddenAddressError) return e.message;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED") return "connection refused (is the application running?)";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host name does not resolve (DNS)";
    return e.message;
  }
  return String(e);
}

export async function checkUrl(url: string, signal?: AbortSignal): Promise<HealthCheck> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
  const shown = displayUrl(url);
  try {
    const res = await get(new URL(url), signal ? AbortSignal.any([signal, timeout]) : timeout);
    const latencyMs = Math.round(performance.now() - started);
    const ok = res.status >= 200 && res.status < 300;
    const detail = ok
      ? `HTTP ${res.status} in ${latencyMs} ms`
      : res.status >= 300 && res.status < 400
        ? `HTTP ${res.status} (a redirect${res.location ? ` to ${displayUrl(res.location)}` : ""}) in ${latencyMs} ms: expected 2xx`
        : `HTTP ${res.status} in ${latencyMs} ms: expected 2xx`;
    return { url: shown, ok, status: res.status, latencyMs, detail };
  } catch (e) {
    signal?.throwIfAborted();
    const latencyMs = Math.round(performance.now() - started);
    return { url: shown, ok: false, status: null, latencyMs, detail: reason(e, timeout.aborted) };
  }
}
