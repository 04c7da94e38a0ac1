import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

// The test S3 server (s3rver) started by scripts/services.sh; its settings come from services.env.
export function testS3() {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  if (!endpoint)
    throw new Error("TEST_S3_ENDPOINT is unset: run through npm test / npm run test:all, which start the test servers");
  return s3Helpers(
    endpoint,
    process.env.TEST_S3_ACCESS_KEY ?? "S3RVER",
    process.env.TEST_S3_SECRET_KEY ?? "S3RVER",
    process.env.TEST_S3_REGION ?? "us-east-1",
  );
}

function s3Helpers(endpoint: string, accessKeyId: string, secretAccessKey: string, region: string) {
  const client = new S3Client({
    region,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    region,
    client,
    async createBucket(bucket: string) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    async put(bucket: string, key: string, body: string | Buffer) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async del(bucket: string, key: string) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    /** Puts many objects with bounded concurrency. */
    async putMany(bucket: string, items: { key: string; body: string | Buffer }[], concurrency = 32) {
      let i = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (i < items.length) {
            const item = items[i++]!;
            await client.send(new PutObjectCommand({ Bucket: bucket, Key: item.key, Body: item.body }));
          }
        }),
      );
    },
  };
}

/** YYYYMMDD_HHMMSS of a Date, UTC. */
export function stamp(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/**
 * A private s3rver for a test that stops its server on purpose (the shared one from
 * services.sh serves other test files running in parallel). Same data dir on restart.
 */
export async function startPrivateS3() {
  const { execa } = await import("execa");
  const net = await import("node:net");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-private-s3-"));
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const up = () =>
    new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1");
      c.on("connect", () => (c.destroy(), resolve(true)));
      c.on("error", () => resolve(false));
    });
  let child: ReturnType<typeof execa> | null = null;
  async function start() {
    child = execa(
      "node",
      ["--openssl-legacy-provider", "scripts/test-servers/s3rver.mjs", "--port", String(port), "--dir", dir],
      { reject: false },
    );
    for (let i = 0; i < 100 && !(await up()); i++) await new Promise((r) => setTimeout(r, 50));
    if (!(await up())) throw new Error(`private s3rver did not start on port ${port}`);
  }
  async function stop() {
    child?.kill("SIGTERM");
    await child;
    child = null;
  }
  await start();
  return {
    ...s3Helpers(`http://127.0.0.1:${port}`, "S3RVER", "S3RVER", "us-east-1"),
    start,
    stop,
    async dispose() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
