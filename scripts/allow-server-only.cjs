// Preloaded by scripts/lib.sh's run_ts: lets lib/'s "server-only" modules load in scripts and
// benchmarks outside Next (the package throws unless React's server build resolves it; vitest
// aliases it the same way). Nothing here runs in the console itself.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload script */
const Module = require("node:module");
const resolved = require.resolve("server-only");
const stub = new Module(resolved);
stub.loaded = true;
stub.exports = {};
require.cache[resolved] = stub;
