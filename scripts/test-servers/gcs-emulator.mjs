// A GCS JSON-API server for tests: firebase-tools' Storage emulator run in-process,
// without its Java rules runtime. Pinned to firebase-tools 15.34.2 (package.json): it
// uses internal modules (lib/emulator/...), so re-check this file when that pin moves.
//
//   node scripts/test-servers/gcs-emulator.mjs --port PORT --dir DIR --project ID
//
// Two deviations from the stock emulator, both to make it behave like real GCS for
// the storage contract suite (lib/storage/contract.test.ts):
//   1. The emulator creates any bucket a request names. Real GCS answers 404 "The
//      specified bucket does not exist." for an unknown bucket, so a front app here
//      implements `POST /storage/v1/b` (bucket insert) and answers that 404 for object
//      requests on buckets nobody created.
//   2. Blobs live in DIR instead of the shared $TMPDIR/firebase/storage/blobs, so two
//      runs on one machine do not delete each other's files.
// It does not check credentials at all (its JSON API is "admin only").
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const fbLib = path.join(path.dirname(require.resolve("firebase-tools/package.json")), "lib");
const { StorageEmulator } = require(path.join(fbLib, "emulator/storage/index.js"));
const { StorageRulesIssues } = require(path.join(fbLib, "emulator/storage/rules/runtime.js"));
const { EmulatorRegistry } = require(path.join(fbLib, "emulator/registry.js"));
const { createApp } = require(path.join(fbLib, "emulator/storage/server.js"));
const express = require(require.resolve("express", { paths: [fbLib] }));

const { values } = parseArgs({
  options: { port: { type: "string" }, dir: { type: "string" }, project: { type: "string", default: "lifeboat-test" } },
});
const port = Number(values.port);
if (!port || !values.dir) {
  console.error("usage: gcs-emulator.mjs --port PORT --dir DIR [--project ID]");
  process.exit(2);
}

class TestStorageEmulator extends StorageEmulator {
  // The real rules runtime is a Java jar (downloaded at start, needs Java 21). The GCS
  // JSON API only uses the emulator's admin layer, which never consults rules, so a rules
  // manager that does nothing is enough, and start() below never starts the runtime.
  createRulesManager() {
    return { start: async () => new StorageRulesIssues(), stop: async () => {}, getRuleset: () => undefined };
  }
  getPersistenceTmpDir() {
    return this.args.blobDir;
  }
  async start() {
    const { host, port } = this.getInfo();
    const created = new Set();
    const inner = await createApp(this.args.projectId, this);
    const app = express();
    app.post("/storage/v1/b", express.json(), (req, res) => {
      const name = req.body?.name;
      if (typeof name !== "string" || name === "")
        return res.status(400).json({ error: { code: 400, message: "name required" } });
      if (created.has(name))
        return res
          .status(409)
          .json(
            gcsError(
              409,
              "Your previous request to create the named bucket succeeded and you already own it.",
              "conflict",
            ),
          );
      created.add(name);
      this.adminStorageLayer.createBucket(name);
      return res.json({
        kind: "storage#bucket",
        id: name,
        name,
        projectNumber: "0",
        location: "US",
        storageClass: "STANDARD",
      });
    });
    app.get("/storage/v1/b/:bucket", (req, res) => {
      if (!created.has(req.params.bucket))
        return res.status(404).json(gcsError(404, "The specified bucket does not exist.", "notFound"));
      return res.json({
        kind: "storage#bucket",
        id: req.params.bucket,
        name: req.params.bucket,
        location: "US",
        storageClass: "STANDARD",
      });
    });
    // Object routes of the JSON API: /storage/v1/b/B/o…, /upload/storage/v1/b/B/o…, /download/storage/v1/b/B/o…
    app.use(/^\/(?:upload\/|download\/)?storage\/v1\/b\/([^/]+)(?:\/.*)?$/, (req, res, next) => {
      const bucket = decodeURIComponent(req.params[0]);
      if (created.has(bucket)) return next();
      return res.status(404).json(gcsError(404, "The specified bucket does not exist.", "notFound"));
    });
    app.use(inner);
    await new Promise((resolve, reject) => {
      this._server = app.listen(port, host, resolve).on("error", reject);
    });
  }
  async stop() {
    if (!this._server) return;
    const closed = new Promise((resolve) => this._server.close(() => resolve()));
    this._server.closeAllConnections(); // keep-alive connections would hold close() open
    await closed;
  }
}

function gcsError(code, message, reason) {
  return { error: { code, message, errors: [{ message, domain: "global", reason }] } };
}

const emulator = new TestStorageEmulator({
  projectId: values.project,
  host: "127.0.0.1",
  port,
  blobDir: path.resolve(values.dir),
  rules: { name: "none", content: "" },
  auto_download: false,
});
// Registered, not just started: parts of the emulator look their own address up in the
// registry (upload and ACL URLs) and answer 500 when it is not there.
await EmulatorRegistry.start(emulator);
console.log(`gcs emulator listening on http://127.0.0.1:${port}`);

const shutdown = async () => {
  await emulator.stop().catch(() => {});
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
