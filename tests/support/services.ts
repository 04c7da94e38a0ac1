import { execa } from "execa";
import net from "node:net";
import path from "node:path";

// The real test servers started by scripts/services.sh (through tests/support/global-setup.ts
// or scripts/test-all.sh); their addresses and throwaway credentials come from services.env.

const ROOT = path.resolve(import.meta.dirname, "../..");

function need(name: string): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(
      `${name} is unset: run the tests with \`npx vitest run\` (its global setup starts the test servers) or npm run test:all`,
    );
  }
  return v;
}

export function testServices() {
  return {
    runDir: need("LIFEBOAT_TEST_RUN_DIR"),
    pg: {
      host: need("TEST_PG_HOST"),
      port: Number(need("TEST_PG_PORT")),
      user: need("TEST_PG_USER"),
      password: need("TEST_PG_PASSWORD"),
    },
    s3: {
      endpoint: need("TEST_S3_ENDPOINT"),
      accessKeyId: need("TEST_S3_ACCESS_KEY"),
      secretAccessKey: need("TEST_S3_SECRET_KEY"),
      region: need("TEST_S3_REGION"),
    },
    azure: {
      endpoint: need("TEST_AZURE_BLOB_ENDPOINT"),
      connectionString: need("TEST_AZURE_CONNECTION_STRING"),
      accountName: need("TEST_AZURE_ACCOUNT"),
      accountKey: need("TEST_AZURE_KEY"),
    },
    gcs: {
      endpoint: need("TEST_GCS_ENDPOINT"),
      projectId: need("TEST_GCS_PROJECT"),
    },
  };
}

/**
 * Stops or restarts one test server (same port, same data). The servers are shared by
 * every test file of the run, and files run in parallel: a test that stops one must own
 * that server for its duration (run it in a file of its own, sequentially).
 */
export async function controlService(action: "stop-one" | "start-one", name: "s3" | "azure" | "gcs"): Promise<void> {
  await execa("bash", ["scripts/services.sh", action, name, testServices().runDir], { cwd: ROOT, stdio: "pipe" });
}

/** A 127.0.0.1 port nothing listens on (asked from the kernel, then released). */
export async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A name unique to this run, usable as a bucket or container name (3–63 lowercase chars). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
