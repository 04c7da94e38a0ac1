import { Storage, type Bucket, type File, type StorageOptions } from "@google-cloud/storage";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  briefMessage,
  DEFAULT_DEADLINES,
  httpStatusOf,
  makeRedactor,
  networkProblem,
  parseEndpoint,
  unreachable,
  type Deadlines,
} from "./errors";
import { destroyOnFailure, withMappedErrors } from "./streams";
import { assertValidKey, assertValidRange, pageSizeOf } from "./keys";
import { StorageError, type BackupStorage, type ListPage, type StorageObject } from "./provider";
import type { GcsConfig } from "./gcs-config";

// Google Cloud Storage: a bucket, reached with a service-account key (JSON) or the
// server's application default credentials. `apiEndpoint` points it at another server
// (an emulator); it is passed to the client explicitly, so STORAGE_EMULATOR_HOST is not
// needed (the client library still honours that variable if someone sets it).

type Operation = "list" | "read" | "write" | "delete";

type ServiceAccountKey = { client_email: string; private_key: string; project_id?: string };

const PERMISSION: Record<Operation, string> = {
  list: "storage.objects.list",
  read: "storage.objects.get",
  write: "storage.objects.create and storage.objects.delete",
  delete: "storage.objects.delete",
};

function parseKey(json: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // JSON.parse's message quotes the input: never pass it on.
    throw new StorageError(
      "invalid_config",
      "The service-account key is not valid JSON: paste the whole key file downloaded from the Google Cloud console",
    );
  }
  const rec = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof rec.client_email !== "string" || typeof rec.private_key !== "string") {
    throw new StorageError(
      "invalid_config",
      "The service-account key lacks client_email or private_key: paste a key file of type service_account",
    );
  }
  return {
    client_email: rec.client_email,
    private_key: rec.private_key,
    project_id: typeof rec.project_id === "string" ? rec.project_id : undefined,
  };
}

/** The error's own message plus the JSON API's message when gaxios only says "status code 404". */
function messageOf(e: unknown): string {
  const rec = e as { message?: unknown; response?: { data?: { error?: { message?: unknown } } } } | null;
  const own = typeof rec?.message === "string" ? rec.message : "";
  const api = rec?.response?.data?.error?.message;
  return typeof api === "string" && api !== own ? `${own} ${api}` : own;
}

/** The URL a failed gaxios request went to: tells the token endpoint from the bucket's. */
function requestUrl(e: unknown): string {
  const rec = e as { config?: { url?: unknown } } | null;
  const u = rec?.config?.url;
  return typeof u === "string" ? u : u instanceof URL ? u.toString() : "";
}

function reasonOf(e: unknown): string {
  const rec = e as { errors?: { reason?: unknown }[]; response?: { data?: unknown } } | null;
  const r = rec?.errors?.[0]?.reason;
  return typeof r === "string" ? r : "";
}

export class GcsStorage implements BackupStorage {
  readonly kind = "gcs" as const;
  readonly description: string;
  private readonly bucket: Bucket;
  private readonly bucketName: string;
  private readonly endpointUrl: string;
  private readonly hasKey: boolean;
  private readonly customEndpoint: boolean;
  private readonly redact: (text: string) => string;

  /**
   * `deadlines.probeMs` bounds probe(); other requests use the client library's own
   * 60 s timeout.
   */
  constructor(
    config: GcsConfig,
    private readonly deadlines: Deadlines = DEFAULT_DEADLINES,
  ) {
    this.bucketName = config.bucket;
    const key = config.credentialsJson.trim() ? parseKey(config.credentialsJson) : null;
    this.redact = makeRedactor(key ? [config.credentialsJson, key.private_key] : [config.credentialsJson]);
    this.hasKey = key !== null;
    this.customEndpoint = Boolean(config.apiEndpoint);
    const endpoint = config.apiEndpoint ? parseEndpoint(config.apiEndpoint, "http://127.0.0.1:9199") : undefined;
    this.endpointUrl = endpoint ?? "https://storage.googleapis.com";
    const options: StorageOptions = {
      projectId: config.projectId || key?.project_id || undefined,
      apiEndpoint: endpoint,
      // With a custom endpoint the client sends no credentials unless told to; send them
      // when a key was given (a private endpoint), not to a keyless emulator.
      useAuthWithCustomEndpoint: Boolean(endpoint && key),
      // One quick retry: a dead endpoint should fail in seconds.
      retryOptions: { autoRetry: true, maxRetries: 1, retryDelayMultiplier: 2, maxRetryDelay: 2, totalTimeout: 60 },
    };
    if (key) options.credentials = { client_email: key.client_email, private_key: key.private_key };
    this.bucket = new Storage(options).bucket(config.bucket);
    this.description = `gs://${config.bucket}/${config.prefix}${endpoint ? ` at ${endpoint}` : ""}`;
  }

  private noBucket(e: unknown): StorageError {
    return new StorageError(
      "no_such_bucket",
      `The bucket ${this.bucketName} does not exist${this.customEndpoint ? ` at ${this.endpointUrl}` : ""}`,
      { cause: e },
    );
  }

  private fail(e: unknown, op: Operation, key: string | null): StorageError {
    if (e instanceof StorageError) return e;
    const status = httpStatusOf(e);
    const message = messageOf(e);
    if (
      /default credentials|Could not refresh access token|Unable to detect a Project Id/i.test(message) &&
      status === undefined
    ) {
      return new StorageError(
        "access_denied",
        "No Google credentials: paste a service-account key, or give the console's server application default credentials",
        { cause: e },
      );
    }
    if (/invalid_grant|invalid_client|account not found/i.test(message)) {
      return new StorageError(
        "access_denied",
        "Google rejected the service-account key: it is wrong, deleted or disabled",
        { cause: e },
      );
    }
    const problem = networkProblem(e);
    if (problem && status === undefined) {
      const url = requestUrl(e);
      if (/oauth2|\/token\b/.test(url)) {
        const tokenUrl = url.split("?")[0] ?? url;
        return new StorageError(
          "unreachable",
          `Could not reach Google's sign-in service at ${tokenUrl}: ${problem}. The console's server must reach it to use the service-account key`,
          { cause: e },
        );
      }
      return unreachable(this.endpointUrl, problem, e);
    }
    if (status === 404) {
      if (key === null || /bucket does not exist/i.test(message)) return this.noBucket(e);
      return new StorageError("not_found", `The object ${key} does not exist in gs://${this.bucketName}`, { cause: e });
    }
    if (status === 401) {
      return new StorageError(
        "access_denied",
        "Google rejected the credentials: the service-account key is wrong, revoked or expired",
        { cause: e },
      );
    }
    if (status === 403) {
      const billing = reasonOf(e) === "userProjectMissing" || /billing|requester pays/i.test(message);
      return new StorageError(
        "access_denied",
        billing
          ? `gs://${this.bucketName} is a requester-pays bucket: set the project to bill`
          : `Access denied by gs://${this.bucketName}: the service account needs ${PERMISSION[op]} on this bucket (e.g. the Storage Object ${op === "list" || op === "read" ? "Viewer" : "Admin"} role)`,
        { cause: e },
      );
    }
    return new StorageError(
      "unknown",
      `gs://${this.bucketName} answered ${status ? `HTTP ${status}` : "an error"}: ${briefMessage(e, this.redact)}`,
      { cause: e },
    );
  }

  private toObject(file: File): StorageObject {
    const m = file.metadata;
    const updated = m.updated ?? m.timeCreated;
    return {
      key: file.name,
      size: Number(m.size ?? 0),
      lastModified: updated ? new Date(updated) : new Date(0),
      etag: m.etag ?? (m.generation !== undefined ? String(m.generation) : null),
    };
  }

  async list(opts: { prefix?: string; token?: string | null; pageSize?: number }): Promise<ListPage> {
    const pageSize = pageSizeOf(opts.pageSize);
    try {
      const [files, nextQuery] = await this.bucket.getFiles({
        prefix: opts.prefix || undefined,
        autoPaginate: false,
        maxResults: Math.min(pageSize, 1000), // GCS's own maximum
        pageToken: opts.token || undefined,
      });
      const token = (nextQuery as { pageToken?: unknown } | null | undefined)?.pageToken;
      return {
        objects: files.map((f) => this.toObject(f)),
        nextToken: typeof token === "string" && token ? token : null,
      };
    } catch (e) {
      throw this.fail(e, "list", null);
    }
  }

  async stat(key: string): Promise<StorageObject> {
    assertValidKey(key);
    try {
      const file = this.bucket.file(key);
      await file.getMetadata();
      const m = file.metadata;
      const hold = m.temporaryHold === true || m.eventBasedHold === true;
      const until = m.retentionExpirationTime ? new Date(m.retentionExpirationTime) : null;
      return { ...this.toObject(file), lock: until || hold ? { retainUntil: until, legalHold: hold } : null };
    } catch (e) {
      throw this.fail(e, "read", key);
    }
  }

  async read(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    assertValidKey(key);
    assertValidRange(range);
    // createReadStream reports a missing object only once read; ask first so read()
    // itself throws not_found, and pin the generation so the bytes are that object's.
    const file = this.bucket.file(key);
    try {
      await file.getMetadata();
    } catch (e) {
      throw this.fail(e, "read", key);
    }
    const generation = file.metadata.generation;
    const pinned = generation !== undefined ? this.bucket.file(key, { generation: Number(generation) }) : file;
    const stream = pinned.createReadStream(range ? { start: range.start, end: range.end } : {});
    return withMappedErrors(stream, (e) => this.fail(e, "read", key));
  }

  async write(key: string, body: Readable, opts?: { contentType?: string }): Promise<StorageObject> {
    return destroyOnFailure(body, key, async () => {
      assertValidKey(key);
      const file = this.bucket.file(key);
      try {
        // Resumable: the body streams through in one request, never held in memory.
        await pipeline(
          body,
          file.createWriteStream({
            resumable: true,
            contentType: opts?.contentType,
            metadata: { contentType: opts?.contentType },
          }),
        );
      } catch (e) {
        throw this.fail(e, "write", key);
      }
      return this.stat(key);
    });
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      // Not ignoreNotFound: a missing bucket must still be reported.
      await this.bucket.file(key).delete();
    } catch (e) {
      const err = this.fail(e, "delete", key);
      if (err.code === "not_found") return;
      throw err;
    }
  }

  async signedDownloadUrl(key: string, expiresInSeconds: number): Promise<string | null> {
    assertValidKey(key);
    // Signing needs a private key. Without one (an emulator, or application default
    // credentials) the library would ask the IAM API to sign, which may be slow or denied.
    if (!this.hasKey) return null;
    try {
      // One clock reading for both ends: the library floors each to whole seconds, so two
      // readings across a second boundary would sign for one second less than asked.
      const accessibleAt = Math.floor(Date.now() / 1000) * 1000;
      const [url] = await this.bucket.file(key).getSignedUrl({
        version: "v4",
        action: "read",
        accessibleAt,
        expires: accessibleAt + expiresInSeconds * 1000,
      });
      return url;
    } catch {
      return null;
    }
  }

  async probe(): Promise<{ latencyMs: number }> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              unreachable(this.endpointUrl, `no answer within ${Math.round(this.deadlines.probeMs / 1000)} s`, null),
            ),
          this.deadlines.probeMs,
        );
      });
      await Promise.race([this.bucket.getFiles({ autoPaginate: false, maxResults: 1 }), timeout]);
    } catch (e) {
      throw this.fail(e, "list", null);
    } finally {
      clearTimeout(timer);
    }
    return { latencyMs: Math.round(performance.now() - started) };
  }
}
