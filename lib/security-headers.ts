// Response headers for every page and route. The Content-Security-Policy keeps 'unsafe-inline'
// for scripts and styles because Next.js inlines its bootstrap scripts and styles (nonces would
// make every page dynamic); 'unsafe-eval' only in development, where React's dev tools need it.

export type HeaderOptions = { production: boolean; https: boolean };

export function contentSecurityPolicy({ production, https }: HeaderOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", "'unsafe-inline'", ...(production ? [] : ["'unsafe-eval'"])],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'", "data:"],
    // Development's hot reload talks over a websocket to the same host.
    ["connect-src", "'self'", ...(production ? [] : ["ws:", "wss:"])],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["frame-ancestors", "'none'"],
  ];
  if (https) directives.push(["upgrade-insecure-requests"]);
  return directives.map((d) => d.join(" ")).join("; ");
}

export function securityHeaders(options: HeaderOptions): { key: string; value: string }[] {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy(options) },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "same-origin" },
    // Only over https: a browser that saw HSTS on a plain-http console could not reach it again.
    ...(options.https ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
  ];
}
