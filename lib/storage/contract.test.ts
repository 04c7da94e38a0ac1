import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { Storage } from "@google-cloud/storage";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closedPort, testServices, uniqueName } from "@/tests/support/services";
import { AzureStorage } from "./azure";
import { createStorage, type StorageConfig as LocationConfig } from "./create-storage";
import { GcsStorage } from "./gcs";
import { compareKeys } from "./keys";
import { StorageError, type BackupStorage, type StorageErrorCode, type StorageObject } from "./provider";
import { S3Storage } from "./s3";

// One contract, every driver, real servers: a local folder, S3 (s3rver), Azure Blob
// (Azurite) and GCS (firebase-tools' Storage emulator, scripts/test-servers/gcs-emulator.mjs).
// What each server cannot check is said where the driver's failure cases are listed.

type FailureCase = {
  name: string;
  config: () => Promise<LocationConfig>;
  code: StorageErrorCode;
  /** Text the message must contain (it says what to fix). */
  says: RegExp;
};

type DriverCase = {
  kind: LocationConfig["kind"];
  /** Creates a fresh, empty bucket / container / folder and returns its config. */
  fresh: () => Promise<LocationConfig>;
  /** Puts small objects with the provider's own SDK (faster than one driver write each). */
  seed: (config: LocationConfig) => (key: string, body: Buffer) => Promise<void>;
  failures: FailureCase[];
  /** Secrets of every config this driver's tests use: no message may contain them. */
  secrets: () => string[];
  /** Whether signedDownloadUrl gives a URL (else null). */
  signs: boolean;
};

const tempDirs: string[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-contract-"));
  tempDirs.push(d);
  return d;
}

// Wrong credentials, made distinctive so that a leak into a message is easy to spot.
const WRONG_S3_SECRET = "wrongSecretKey-0000-LEAKCHECK-s3";
const WRONG_AZURE_KEY = Buffer.from("wrong-azure-account-key-LEAKCHECK-0123456789").toString("base64");
const WRONG_SAS =
  "sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2099-01-01T00:00:00Z&sig=LEAKCHECKsasSignature0123456789abcdef%3D";

const drivers: DriverCase[] = [
  {
    kind: "local",
    fresh: async () => ({ kind: "local", path: tempDir(), prefix: "" }),
    seed: (config) => async (key, body) => {
      const file = path.join((config as { path: string }).path, key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, body);
    },
    failures: [
      {
        name: "a folder that does not exist",
        config: async () => ({ kind: "local", path: path.join(tempDir(), "missing"), prefix: "" }),
        code: "no_such_bucket",
        says: /The folder \/.+\/missing does not exist or is not readable by the console's user/,
      },
      {
        name: "a file instead of a folder",
        config: async () => {
          const file = path.join(tempDir(), "a-file");
          fs.writeFileSync(file, "x");
          return { kind: "local", path: file, prefix: "" };
        },
        code: "no_such_bucket",
        says: /does not exist or is not readable/,
      },
      // No credentials, and as root every folder is readable: access_denied is covered
      // by the cloud drivers only.
    ],
    secrets: () => [],
    signs: false,
  },
  {
    kind: "s3",
    fresh: async () => {
      const s3 = testServices().s3;
      const bucket = uniqueName("contract");
      const client = new S3Client({
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      client.destroy();
      return s3Config(bucket);
    },
    seed: (config) => {
      const s3 = testServices().s3;
      const client = new S3Client({
        region: s3.region,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      const bucket = (config as { bucket: string }).bucket;
      return async (key, body) => {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      };
    },
    failures: [
      {
        name: "a bucket that does not exist",
        config: async () => s3Config(uniqueName("missing")),
        code: "no_such_bucket",
        says: /The bucket missing-\S+ does not exist in region us-east-1/,
      },
      // s3rver checks the access key id but not V4 signatures, so a wrong secret with the
      // right key id is accepted there: the wrong key id is what it can enforce.
      {
        name: "an access key id the server does not know",
        config: async () => ({ ...s3Config("anything"), accessKeyId: "NOT-A-KEY", secretAccessKey: WRONG_S3_SECRET }),
        code: "access_denied",
        says: /The access key id is wrong/,
      },
      {
        name: "a closed port",
        config: async () => ({ ...s3Config("anything"), endpoint: `http://127.0.0.1:${await closedPort()}` }),
        code: "unreachable",
        says: /Could not reach http:\/\/127\.0\.0\.1:\d+: connection refused\. Check the endpoint/,
      },
    ],
    secrets: () => [testServices().s3.secretAccessKey, WRONG_S3_SECRET],
    // Presigning needs @aws-sdk/s3-request-presigner, not a dependency (see s3.ts).
    signs: false,
  },
  {
    kind: "azure",
    fresh: async () => {
      const az = testServices().azure;
      const container = uniqueName("contract");
      await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient(container).create();
      return azureConfig(container);
    },
    seed: (config) => {
      const container = BlobServiceClient.fromConnectionString(
        testServices().azure.connectionString,
      ).getContainerClient((config as { container: string }).container);
      return async (key, body) => {
        await container.getBlockBlobClient(key).upload(body, body.length);
      };
    },
    failures: [
      {
        name: "a container that does not exist",
        config: async () => azureConfig(uniqueName("missing")),
        code: "no_such_bucket",
        says: /The container missing-\S+ does not exist in the storage account devstoreaccount1/,
      },
      {
        name: "a wrong account key",
        config: async () => ({ ...azureConfig("anything"), accountKey: WRONG_AZURE_KEY }),
        code: "access_denied",
        says: /account key or SAS token/,
      },
      {
        name: "a wrong SAS token",
        config: async () => ({ ...azureConfig("anything"), accountKey: "", sasToken: WRONG_SAS }),
        code: "access_denied",
        says: /account key or SAS token/,
      },
      {
        name: "a connection string with a wrong key",
        config: async () => ({
          ...azureConfig("anything"),
          accountName: "",
          accountKey: "",
          connectionString: testServices().azure.connectionString.replace(
            /AccountKey=[^;]+/,
            `AccountKey=${WRONG_AZURE_KEY}`,
          ),
        }),
        code: "access_denied",
        says: /account key or SAS token/,
      },
      {
        name: "a closed port",
        config: async () => ({
          ...azureConfig("anything"),
          endpoint: `http://127.0.0.1:${await closedPort()}/devstoreaccount1`,
        }),
        code: "unreachable",
        says: /Could not reach http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1: connection refused\. Check the endpoint/,
      },
    ],
    secrets: () => [testServices().azure.accountKey, WRONG_AZURE_KEY, WRONG_SAS, "LEAKCHECKsasSignature"],
    signs: true,
  },
  {
    kind: "gcs",
    fresh: async () => {
      const gcs = testServices().gcs;
      const bucket = uniqueName("contract");
      await new Storage({ apiEndpoint: gcs.endpoint, projectId: gcs.projectId }).createBucket(bucket);
      return gcsConfig(bucket);
    },
    seed: (config) => {
      const gcs = testServices().gcs;
      const bucket = new Storage({ apiEndpoint: gcs.endpoint, projectId: gcs.projectId }).bucket(
        (config as { bucket: string }).bucket,
      );
      return async (key, body) => {
        await bucket.file(key).save(body, { resumable: false });
      };
    },
    failures: [
      {
        name: "a bucket that does not exist",
        config: async () => gcsConfig(uniqueName("missing")),
        code: "no_such_bucket",
        says: /The bucket missing-\S+ does not exist/,
      },
      // The emulator does not check credentials at all (its JSON API is admin-only), and a
      // service-account key needs Google's token endpoint (no internet here): wrong
      // credentials cannot be exercised against a GCS server in this environment.
      {
        name: "a closed port",
        config: async () => ({ ...gcsConfig("anything"), apiEndpoint: `http://127.0.0.1:${await closedPort()}` }),
        code: "unreachable",
        says: /Could not reach http:\/\/127\.0\.0\.1:\d+: connection refused\. Check the endpoint/,
      },
    ],
    secrets: () => [],
    // Keyless (emulator): nothing to sign with. gcs.test.ts covers signing with a key.
    signs: false,
  },
];

function s3Config(bucket: string): Extract<LocationConfig, { kind: "s3" }> {
  const s3 = testServices().s3;
  return {
    kind: "s3",
    bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    prefix: "",
  };
}

function azureConfig(container: string): Extract<LocationConfig, { kind: "azure" }> {
  const az = testServices().azure;
  return {
    kind: "azure",
    container,
    connectionString: "",
    accountName: az.accountName,
    accountKey: az.accountKey,
    sasToken: "",
    endpoint: az.endpoint,
    prefix: "",
  };
}

function gcsConfig(bucket: string): Extract<LocationConfig, { kind: "gcs" }> {
  const gcs = testServices().gcs;
  return { kind: "gcs", bucket, projectId: gcs.projectId, credentialsJson: "", apiEndpoint: gcs.endpoint, prefix: "" };
}

/** A stream of unknown length over `data`, in uneven chunks. */
function chunked(data: Buffer): Readable {
  return Readable.from(
    (function* () {
      let i = 0;
      let n = 1;
      while (i < data.length) {
        const size = 1000 + ((n * 7919) % 70_000);
        yield data.subarray(i, i + size);
        i += size;
        n++;
      }
    })(),
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function caught(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error("expected a StorageError, but the call succeeded");
}

/** Puts many small objects (body: the key itself) with bounded concurrency. */
async function putMany(
  put: (key: string, body: Buffer) => Promise<void>,
  keys: string[],
  concurrency = 16,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        await put(key, Buffer.from(key));
      }
    }),
  );
}

async function listAll(storage: BackupStorage, prefix: string, pageSize?: number) {
  const pages: StorageObject[][] = [];
  let token: string | null = null;
  do {
    const page = await storage.list({ prefix, token, pageSize });
    pages.push(page.objects);
    token = page.nextToken;
    if (pages.length > 100) throw new Error("listing does not end");
  } while (token);
  return pages;
}

const BIG = randomBytes(5 * 1024 * 1024 + 12_345);
const UNICODE_KEYS = [
  "unicode/Ünïcödé backup – 2024.sql.gz",
  "unicode/日本語/バックアップ 01.dump",
  "unicode/emoji 😀 and spaces .sql",
  "unicode/plus+and&amp=eq;semi,comma'quote(1).gz",
  "unicode/percent%20literal %41.gz",
];

afterAll(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe.each(drivers)("$kind storage contract", (driver) => {
  let storage: BackupStorage;
  let config: LocationConfig;
  const messages: string[] = [];

  function remember(e: StorageError): StorageError {
    messages.push(e.message);
    return e;
  }

  beforeAll(async () => {
    config = await driver.fresh();
    storage = createStorage(config);
  });

  afterAll(() => {
    // Every message any test of this driver saw, and the description, carry no secret.
    const texts = [...messages, storage.description];
    for (const secret of driver.secrets()) {
      for (const t of texts) expect(t).not.toContain(secret);
    }
  });

  test("its kind and a description that names the place", () => {
    expect(storage.kind).toBe(driver.kind);
    const place = config.kind === "local" ? config.path : config.kind === "azure" ? config.container : config.bucket;
    expect(storage.description).toContain(place);
  });

  test("probe answers on a fresh, empty bucket", async () => {
    // Its own bucket: tests run in any order, and the shared one fills up as they run.
    const empty = createStorage(await driver.fresh());
    const { latencyMs } = await empty.probe();
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThan(5_000);
    expect(await empty.list({})).toEqual({ objects: [], nextToken: null });
  });

  test("a 5 MB stream of unknown length round-trips: write, stat, read, list", async () => {
    const key = "big/amani_backup_20240101_020000.sql.gz";
    const written = await storage.write(key, chunked(BIG), { contentType: "application/gzip" });
    expect(written.key).toBe(key);
    expect(written.size).toBe(BIG.length);

    const st = await storage.stat(key);
    expect(st.size).toBe(BIG.length);
    expect(st.lastModified.getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(st.lastModified.getTime()).toBeLessThan(Date.now() + 10 * 60_000);
    expect(st.etag).toBe(written.etag);

    expect(sha256(await readAll(await storage.read(key)))).toBe(sha256(BIG));

    const page = await storage.list({ prefix: "big/" });
    expect(page.objects.map((o) => [o.key, o.size])).toEqual([[key, BIG.length]]);
  });

  test("range reads return exactly the bytes asked for", async () => {
    // Its own object, so the test passes in any order (test:all shuffles).
    const key = "ranges/amani_backup_20240101_020000.sql.gz";
    await storage.write(key, chunked(BIG), { contentType: "application/gzip" });
    const cases: { start: number; end?: number }[] = [
      { start: 0, end: 0 },
      { start: 0, end: 1023 },
      { start: 1_000_000, end: 1_999_999 },
      { start: BIG.length - 10 },
      { start: BIG.length - 5, end: BIG.length - 1 },
      { start: 4242 },
    ];
    for (const range of cases) {
      const got = await readAll(await storage.read(key, range));
      const want = BIG.subarray(range.start, range.end === undefined ? undefined : range.end + 1);
      expect(got.length, `range ${range.start}-${range.end ?? ""}`).toBe(want.length);
      expect(got.equals(want), `range ${range.start}-${range.end ?? ""}`).toBe(true);
    }
  });

  test("writing a key again replaces the object", async () => {
    const key = "replace/me.txt";
    await storage.write(key, Readable.from([Buffer.from("first version, longer")]));
    const second = await storage.write(key, Readable.from([Buffer.from("second")]));
    expect(second.size).toBe(6);
    expect((await readAll(await storage.read(key))).toString()).toBe("second");
    expect((await storage.list({ prefix: "replace/" })).objects.map((o) => o.key)).toEqual([key]);
  });

  test("a write whose data fails midway stores nothing and keeps the previous version", async () => {
    const key = "failing/amani_backup_20240102_020000.sql.gz";
    await storage.write(key, Readable.from([Buffer.from("previous version")]));
    const failingBody = (bytes: number) => {
      let sent = 0;
      return new Readable({
        read() {
          if (sent >= bytes) {
            this.destroy(new Error("pg_dump exited with code 1"));
            return;
          }
          const chunk = BIG.subarray(sent, sent + 256 * 1024);
          sent += chunk.length;
          this.push(chunk);
        },
      });
    };
    // Small (one request) and large (multipart / several blocks) failures.
    for (const bytes of [100 * 1024, 3 * 1024 * 1024]) {
      const e = remember(await caught(storage.write(key, failingBody(bytes))));
      expect(e.message).toMatch(/failed before it was complete, so nothing was stored: pg_dump exited with code 1/);
      expect((await readAll(await storage.read(key))).toString()).toBe("previous version");
      const fresh = `failing/new-${bytes}.sql.gz`;
      remember(await caught(storage.write(fresh, failingBody(bytes))));
      expect(remember(await caught(storage.stat(fresh))).code).toBe("not_found");
    }
    expect((await storage.list({ prefix: "failing/" })).objects.map((o) => o.key)).toEqual([key]);
  });

  test("list pages through 2,500 objects: every key exactly once, in order, filtered by prefix", async () => {
    const keys = Array.from({ length: 2_500 }, (_, i) => `page/${String(i).padStart(5, "0")}.sql.gz`);
    // Neighbours the prefix must exclude, written by the driver.
    for (const k of ["pagex/not-me.sql.gz", "pag", "other/page/no.sql.gz"])
      await storage.write(k, Readable.from([Buffer.from(k)]));
    await putMany(driver.seed(config), keys);

    const pages = await listAll(storage, "page/", 1000);
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
    const listed = pages.flat().map((o) => o.key);
    expect(listed).toEqual([...keys].sort(compareKeys));
    expect(new Set(listed).size).toBe(2_500);
    for (const o of pages.flat()) expect(o.size).toBe(Buffer.byteLength(o.key));

    // The default page size is 1,000.
    const first = await storage.list({ prefix: "page/" });
    expect(first.objects).toHaveLength(1000);
    expect(first.nextToken).not.toBeNull();

    // A narrower prefix, and a prefix that matches nothing.
    const narrow = pages.flat().filter((o) => o.key.startsWith("page/0012"));
    expect((await storage.list({ prefix: "page/0012" })).objects.map((o) => o.key)).toEqual(narrow.map((o) => o.key));
    expect(narrow).toHaveLength(10);
    expect(await storage.list({ prefix: "nothing-here/" })).toEqual({ objects: [], nextToken: null });
  }, 120_000);

  test("unicode keys, spaces and URL-special characters round-trip", async () => {
    for (const key of UNICODE_KEYS) {
      await storage.write(key, Readable.from([Buffer.from(`content of ${key}`)]));
    }
    for (const key of UNICODE_KEYS) {
      expect((await storage.stat(key)).size).toBe(Buffer.byteLength(`content of ${key}`));
      expect((await readAll(await storage.read(key))).toString()).toBe(`content of ${key}`);
    }
    const listed = (await listAll(storage, "unicode/")).flat().map((o) => o.key);
    expect(listed).toEqual([...UNICODE_KEYS].sort(compareKeys));
  });

  test("delete removes the object; deleting a missing key is fine", async () => {
    const key = "delete/me.sql.gz";
    await storage.write(key, Readable.from([Buffer.from("bye")]));
    await storage.delete(key);
    expect(remember(await caught(storage.stat(key))).code).toBe("not_found");
    expect((await storage.list({ prefix: "delete/" })).objects).toEqual([]);
    await expect(storage.delete(key)).resolves.toBeUndefined();
    await expect(storage.delete("delete/never-existed")).resolves.toBeUndefined();
  });

  test("stat and read of a missing key: not_found", async () => {
    const stat = remember(await caught(storage.stat("missing/amani_backup_19990101_000000.sql.gz")));
    expect(stat.code).toBe("not_found");
    expect(stat.message).toContain("missing/amani_backup_19990101_000000.sql.gz");
    const read = remember(await caught(storage.read("missing/amani_backup_19990101_000000.sql.gz")));
    expect(read.code).toBe("not_found");
  });

  test.each([
    ["../../etc/passwd"],
    ["/etc/passwd"],
    ["a/../../x"],
    ["a/./b"],
    ["nul\0byte"],
    ["back\\..\\slash"],
    ["x".repeat(1025)],
    [""],
  ])("the key %j is refused on every method: invalid_key", async (key) => {
    for (const call of [
      () => storage.stat(key),
      () => storage.read(key),
      () => storage.write(key, Readable.from([Buffer.from("x")])),
      () => storage.delete(key),
      () => storage.signedDownloadUrl(key, 60),
    ]) {
      expect(remember(await caught(call())).code).toBe("invalid_key");
    }
  });

  test(`signedDownloadUrl ${driver.signs ? "gives a URL that downloads the object" : "is null (no signing here)"}`, async () => {
    const key = "signed/dl me.txt";
    await storage.write(key, Readable.from([Buffer.from("signed bytes")]));
    const url = await storage.signedDownloadUrl(key, 300);
    if (!driver.signs) {
      expect(url).toBeNull();
      return;
    }
    expect(url).toMatch(/^https?:\/\//);
    const res = await fetch(url as string);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("signed bytes");
  });

  describe.each(driver.failures)("against $name", (failure) => {
    let broken: BackupStorage;
    beforeAll(async () => {
      broken = createStorage(await failure.config());
    });

    test(`probe, list, stat, read and write fail with ${failure.code} in seconds, saying what to fix`, async () => {
      for (const call of [
        () => broken.probe(),
        () => broken.list({}),
        () => broken.write("x/y.sql.gz", Readable.from([Buffer.from("data")])),
      ]) {
        const started = Date.now();
        const e = remember(await caught(call()));
        expect(e.code).toBe(failure.code);
        expect(e.message).toMatch(failure.says);
        expect(Date.now() - started).toBeLessThan(5_000);
      }
      // stat/read name the object or the bucket, depending on what the server can tell.
      for (const call of [() => broken.stat("x/y.sql.gz"), () => broken.read("x/y.sql.gz")]) {
        const e = remember(await caught(call()));
        const expected = failure.code === "no_such_bucket" ? ["no_such_bucket", "not_found"] : [failure.code];
        expect(expected).toContain(e.code);
      }
      for (const secret of driver.secrets()) expect(broken.description).not.toContain(secret);
    });
  });
});

describe("azure credential forms", () => {
  // The contract above runs with account name + key; the other two forms must reach the
  // same container too.
  let container: string;
  beforeAll(async () => {
    container = uniqueName("forms");
    const client = BlobServiceClient.fromConnectionString(testServices().azure.connectionString).getContainerClient(
      container,
    );
    await client.create();
    await client.getBlockBlobClient("a/b.sql.gz").upload(Buffer.from("via forms"), 9);
  });

  test("a connection string: works, and signs download URLs with its key", async () => {
    const storage = createStorage({
      ...azureConfig(container),
      accountName: "",
      accountKey: "",
      endpoint: "",
      connectionString: testServices().azure.connectionString,
    });
    await storage.probe();
    expect((await readAll(await storage.read("a/b.sql.gz"))).toString()).toBe("via forms");
    expect(storage.description).not.toContain(testServices().azure.accountKey);
    const url = await storage.signedDownloadUrl("a/b.sql.gz", 60);
    expect(await (await fetch(url as string)).text()).toBe("via forms");
  });

  test("an account name with a SAS token: works, and hands no SAS to browsers", async () => {
    const az = testServices().azure;
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3600_000),
        permissions: AccountSASPermissions.parse("rlwd"),
        resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
        services: AccountSASServices.parse("b").toString(),
      },
      new StorageSharedKeyCredential(az.accountName, az.accountKey),
    ).toString();
    const storage = createStorage({ ...azureConfig(container), accountKey: "", sasToken: `?${sas}` });
    await storage.probe();
    expect((await storage.list({ prefix: "a/" })).objects.map((o) => o.key)).toEqual(["a/b.sql.gz"]);
    expect((await readAll(await storage.read("a/b.sql.gz"))).toString()).toBe("via forms");
    expect(await storage.signedDownloadUrl("a/b.sql.gz", 60)).toBeNull();
    const sig = new URLSearchParams(sas).get("sig") as string;
    expect(storage.description).not.toContain(sig);
    const missing = await caught(storage.stat("a/missing.sql.gz"));
    expect(missing.code).toBe("not_found");
    expect(missing.message).not.toContain(sig);
  });
});

describe("an endpoint that accepts connections and never answers", () => {
  // Connection refused fails by itself; a server that hangs must hit the drivers' deadlines
  // (10 s for probe and 30 s for other requests by default; shortened here).
  let server: net.Server;
  let endpoint: string;
  const sockets = new Set<net.Socket>();
  const deadlines = { probeMs: 1_000, requestMs: 2_000 };

  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test.concurrent.each([
    ["s3", () => new S3Storage({ ...s3Config("hang"), endpoint }, deadlines), true],
    [
      "azure",
      () => new AzureStorage({ ...azureConfig("hang"), endpoint: `${endpoint}/devstoreaccount1` }, deadlines),
      true,
    ],
    // GCS requests other than probe() use the client library's own 60 s timeout.
    ["gcs", () => new GcsStorage({ ...gcsConfig("hang"), apiEndpoint: endpoint }, deadlines), false],
  ] as const)("%s: probe and requests give up with unreachable at their deadline", async (_kind, make, requestsToo) => {
    const storage = make();
    let started = Date.now();
    const probe = await caught(storage.probe());
    expect(probe.code).toBe("unreachable");
    expect(probe.message).toMatch(
      /^Could not reach http:\/\/127\.0\.0\.1:\d+(\/devstoreaccount1)?: no answer within 1 s\./,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(3_000);
    if (!requestsToo) return;
    started = Date.now();
    const errors = await Promise.all([caught(storage.stat("x")), caught(storage.list({})), caught(storage.read("x"))]);
    for (const e of errors) {
      expect(e.code).toBe("unreachable");
      expect(e.message).toContain("no answer within 2 s");
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
