// URLs as they may be shown: to viewers, in logs, in plans and API answers. A health URL may
// carry a password (https://user:pass@host/health) or a token in its query; both are replaced
// by *** so that the address stays readable and the secret does not.

const SECRET_PARAM = /token|key|secret|pass|auth|sig|credential|session|code/i;

/** The URL with user:password@ and secret-looking query values replaced by ***. */
export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return raw;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return raw;
  const auth = u.username || u.password ? "***@" : "";
  const query = [...u.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${SECRET_PARAM.test(k) ? "***" : encodeURIComponent(v)}`)
    .join("&");
  return `${u.protocol}//${auth}${u.host}${u.pathname}${query ? `?${query}` : ""}${u.hash}`;
}

/** A stored JSON value with every http(s) URL in it redacted (for answers to viewers). */
export function redactUrlsIn(value: unknown): unknown {
  if (typeof value === "string") return /^\s*https?:\/\//i.test(value) ? redactUrl(value) : value;
  if (Array.isArray(value)) return value.map(redactUrlsIn);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactUrlsIn(v)]));
  }
  return value;
}
