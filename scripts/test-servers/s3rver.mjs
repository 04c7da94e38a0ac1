// An S3 server for tests: s3rver 3.7.1 (pinned in package.json) on 127.0.0.1.
//
//   node --openssl-legacy-provider scripts/test-servers/s3rver.mjs --port PORT --dir DIR
//
// Run it with --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation
// tokens with DES, which Node 20's OpenSSL refuses otherwise, and every paged listing
// then fails with InternalError. It checks signatures (access key S3RVER, secret
// S3RVER) and keeps objects in DIR, so a restart on the same DIR keeps the buckets.
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const S3rver = require("s3rver");

const { values } = parseArgs({ options: { port: { type: "string" }, dir: { type: "string" } } });
const port = Number(values.port);
if (!port || !values.dir) {
  console.error("usage: s3rver.mjs --port PORT --dir DIR");
  process.exit(2);
}

const server = new S3rver({ port, address: "127.0.0.1", directory: values.dir, silent: true });
await server.run();
console.log(`s3rver listening on http://127.0.0.1:${port}`);

const shutdown = () => {
  server.close(() => process.exit(0));
  // Keep-alive and in-flight connections would hold close() open: drop them, as a
  // crashed server would (tests stop this server mid-transfer on purpose).
  server.httpServer?.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
