// Without NEXTAUTH_URL a path still resolves against some origin; only paths pass either way.
export const FALLBACK_ORIGIN = "http://lifeboat.invalid";

/**
 * Where to go after signing in: the callback's path when it resolves to the console's own origin,
 * otherwise the dashboard. Checked the way the browser will read it (`new URL` against the origin),
 * because prefix checks miss what the URL parser does: `/\evil.com` and `/\t/evil.com` are
 * `//evil.com` to a browser. Returns a path, never an absolute URL.
 */
export function safeCallbackUrl(raw: string | undefined | null, origin: string): string {
  if (!raw) return "/";
  let url: URL;
  let own: string;
  try {
    own = new URL(origin).origin;
    url = new URL(raw, own);
  } catch {
    return "/";
  }
  if (url.origin !== own) return "/";
  // A path that decodes to `//host` or `/\host` would turn hostile if anything decodes it again.
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return "/";
  }
  if (/^[/\\]{2}/.test(decoded.replace(/[\s]/g, ""))) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
