import { StorageError } from "./provider";

/** Deadlines for an answer (response headers), overridable so tests need not wait 30 s. */
export type Deadlines = { probeMs: number; requestMs: number };
export const DEFAULT_DEADLINES: Deadlines = { probeMs: 10_000, requestMs: 30_000 };

// Helpers the drivers share to turn SDK errors into StorageErrors whose messages say what
// to fix and never carry a secret.

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  EPIPE: "the connection was closed",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve (DNS did not answer)",
  ETIMEDOUT: "no answer in time",
  ESOCKETTIMEDOUT: "no answer in time",
  ECONNABORTED: "the connection was aborted",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "the network is unreachable",
  EHOSTDOWN: "the host is down",
  UND_ERR_CONNECT_TIMEOUT: "no answer in time",
  UND_ERR_SOCKET: "the connection failed",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate chain is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate is not trusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate does not match the host name",
  EPROTO: "TLS failed (is the endpoint http rather than https?)",
};

function errorChain(e: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [e];
  while (queue.length > 0 && out.length < 20) {
    const cur = queue.shift();
    if (typeof cur !== "object" || cur === null || seen.has(cur)) continue;
    seen.add(cur);
    const rec = cur as Record<string, unknown>;
    out.push(rec);
    queue.push(rec.cause, rec.originalError, rec.error);
    if (Array.isArray(rec.errors)) queue.push(...rec.errors);
  }
  return out;
}

/**
 * What went wrong on the network, in words ("connection refused"), or null when the error
 * is not a network failure (the server answered).
 */
export function networkProblem(e: unknown): string | null {
  for (const rec of errorChain(e)) {
    for (const field of ["code", "errno", "type"] as const) {
      const v = rec[field];
      if (typeof v === "string" && NETWORK_CODES[v]) return NETWORK_CODES[v];
    }
    const name = rec.name;
    if (name === "TimeoutError") return "no answer in time";
    if (name === "AbortError" || rec.code === "ABORT_ERR") return "no answer in time (the request was cancelled)";
  }
  return null;
}

/** The HTTP status an SDK error carries, if any. */
export function httpStatusOf(e: unknown): number | undefined {
  for (const rec of errorChain(e)) {
    const meta = rec.$metadata as { httpStatusCode?: unknown } | undefined;
    for (const v of [rec.statusCode, rec.status, meta?.httpStatusCode, rec.code]) {
      if (typeof v === "number" && v >= 100 && v < 600) return v;
    }
  }
  return undefined;
}

export function unreachable(endpoint: string, problem: string, cause: unknown): StorageError {
  return new StorageError(
    "unreachable",
    `Could not reach ${endpoint}: ${problem}. Check the endpoint and that it is reachable from the console's server`,
    { cause },
  );
}

/**
 * Removes secrets from text: the given values (and their URL-encoded forms) plus anything
 * shaped like a credential (Azure account keys and SAS signatures, private keys).
 */
export function makeRedactor(secrets: readonly string[]): (text: string) => string {
  const values = new Set<string>();
  for (const s of secrets) {
    const t = s.trim();
    if (t.length < 4) continue;
    values.add(t);
    values.add(encodeURIComponent(t));
  }
  const sorted = [...values].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of sorted) out = out.split(v).join("***");
    return out
      .replace(/(AccountKey|SharedAccessSignature)=[^;\s"']+/gi, "$1=***")
      .replace(
        /([?&](?:sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature)=)[^&\s"']+/gi,
        "$1***",
      )
      .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "***");
  };
}

/** The first line of an SDK error's message, without secrets, for "unknown" errors. */
export function briefMessage(e: unknown, redact: (t: string) => string): string {
  const raw = e instanceof Error ? e.message : String(e);
  const line = raw.split("\n")[0] ?? "";
  return redact(line.length > 300 ? `${line.slice(0, 300)}…` : line);
}

/**
 * An endpoint URL from a Location's config, without a trailing slash. Refuses anything
 * but http(s), and credentials embedded in the URL (they would end up in descriptions
 * and messages).
 */
export function parseEndpoint(raw: string, example: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new StorageError("invalid_config", `The endpoint must be a URL such as ${example}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StorageError("invalid_config", `The endpoint must start with http:// or https://, such as ${example}`);
  }
  if (url.username || url.password) {
    throw new StorageError(
      "invalid_config",
      "Remove the user name and password from the endpoint URL; enter credentials in their own fields",
    );
  }
  if (url.search || url.hash) {
    throw new StorageError(
      "invalid_config",
      `The endpoint cannot have a query string (?…); for a SAS token use its own field`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * Runs a request with an AbortSignal that fires after `ms`, until the request resolves
 * (so a stream it returned is not cut off later); a timeout becomes `unreachable`.
 * Connection-refused fails fast by itself; this is for servers that accept and then
 * never answer.
 */
export async function withDeadline<T>(
  ms: number,
  endpoint: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await run(controller.signal);
  } catch (e) {
    if (controller.signal.aborted) throw unreachable(endpoint, `no answer within ${Math.round(ms / 1000)} s`, e);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
