/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay in node_modules instead of being bundled.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/client", "execa"],
  poweredByHeader: false,
  typedRoutes: false,
  // Security headers (CSP, HSTS, framing) are set per request by proxy.ts.
};

module.exports = nextConfig;
