import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";
import {
  briefMessage,
  httpStatusOf,
  makeRedactor,
  networkProblem,
  parseEndpoint,
  unreachable,
  withDeadline,
  DEFAULT_DEADLINES,
  type Deadlines,
} from "./errors";
import { destroyOnFailure, exactRange, parseContentRange, withMappedErrors } from "./streams";
import { assertValidKey, assertValidRange, pageSizeOf } from "./keys";
import { StorageError, type BackupStorage, type ListPage, type StorageObject } from "./provider";
import type { S3Config } from "./s3-config";

// AWS S3 or any S3-compatible endpoint (MinIO, Ceph, R2, s3rver…).
//
// signedDownloadUrl returns null: presigning needs @aws-sdk/s3-request-presigner, which
// is not a dependency of this project; the console streams the bytes itself instead.

type Operation = "list" | "read" | "write" | "delete";

const PERMISSION: Record<Operation, string> = {
  list: "s3:ListBucket",
  read: "s3:GetObject",
  write: "s3:PutObject",
  delete: "s3:DeleteObject",
};

/** Multipart part size: 16 MiB parts allow objects up to 160 GB (10,000 parts). */
const PART_SIZE = 16 * 1024 * 1024;

function errorName(e: unknown): string {
  if (typeof e !== "object" || e === null) return "";
  const rec = e as { name?: unknown; Code?: unknown };
  return String(rec.Code ?? rec.name ?? "");
}

export class S3Storage implements BackupStorage {
  readonly kind = "s3" as const;
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly region: string;
  /** The URL requests go to, for messages. */
  private readonly endpointUrl: string;
  private readonly redact: (text: string) => string;
  private readonly customEndpoint: boolean;
  private readonly forcePathStyle: boolean;

  /** `deadlines`: how long a request may wait for an answer before it counts as unreachable. */
  constructor(
    config: S3Config,
    private readonly deadlines: Deadlines = DEFAULT_DEADLINES,
  ) {
    this.bucket = config.bucket;
    this.region = config.region || "us-east-1";
    const accessKeyId = config.accessKeyId.trim();
    if (Boolean(accessKeyId) !== Boolean(config.secretAccessKey)) {
      throw new StorageError(
        "invalid_config",
        accessKeyId
          ? "Enter the secret access key that belongs to the access key id"
          : "Enter the access key id that belongs to the secret access key (or leave both empty to use the server's AWS credentials)",
      );
    }
    const endpoint = config.endpoint ? parseEndpoint(config.endpoint, "https://s3.example.com") : undefined;
    this.endpointUrl = endpoint ?? `https://s3.${this.region}.amazonaws.com`;
    this.customEndpoint = endpoint !== undefined;
    this.forcePathStyle = config.forcePathStyle;
    this.redact = makeRedactor([config.secretAccessKey]);
    const where = endpoint ? ` at ${endpoint}` : ` (${this.region})`;
    this.description = `s3://${config.bucket}/${config.prefix}${where}`;

    const clientConfig: S3ClientConfig = {
      region: this.region,
      endpoint,
      forcePathStyle: config.forcePathStyle,
      // Fail in seconds when the endpoint is down: one retry, 5 s to connect, and a
      // socket that is idle for 2 minutes is given up.
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 5_000, socketTimeout: 120_000 },
      // Flexible checksums (the SDK's default) are not understood by many S3-compatible
      // servers; AWS itself gets them.
      ...(endpoint ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" } : {}),
    };
    if (accessKeyId) clientConfig.credentials = { accessKeyId, secretAccessKey: config.secretAccessKey };
    this.client = new S3Client(clientConfig);
  }

  private fail(e: unknown, op: Operation, key: string | null): StorageError {
    if (e instanceof StorageError) return e;
    const name = errorName(e);
    const status = httpStatusOf(e);
    const where = `s3://${this.bucket}`;
    switch (name) {
      case "NoSuchBucket":
        return new StorageError(
          "no_such_bucket",
          `The bucket ${this.bucket} does not exist in region ${this.region}${this.endpointNote()}`,
          { cause: e },
        );
      case "NoSuchKey":
      case "NotFound":
        if (key !== null)
          return new StorageError("not_found", `The object ${key} does not exist in ${where}`, { cause: e });
        return new StorageError(
          "no_such_bucket",
          `The bucket ${this.bucket} does not exist in region ${this.region}${this.endpointNote()}`,
          { cause: e },
        );
      case "InvalidAccessKeyId":
        return new StorageError("access_denied", `The access key id is wrong: ${this.endpointUrl} does not know it`, {
          cause: e,
        });
      case "SignatureDoesNotMatch":
        return new StorageError("access_denied", "The secret access key is wrong for this access key id", { cause: e });
      case "ExpiredToken":
      case "TokenRefreshRequired":
        return new StorageError("access_denied", "The AWS session token has expired: renew the server's credentials", {
          cause: e,
        });
      case "InvalidToken":
        return new StorageError("access_denied", "The AWS session token is not valid", { cause: e });
      case "CredentialsProviderError":
        return new StorageError(
          "access_denied",
          "No AWS credentials: enter an access key id and secret, or give the console's server an IAM role or AWS_* environment",
          { cause: e },
        );
      case "AccessDenied":
      case "AllAccessDisabled":
        return new StorageError(
          "access_denied",
          `Access denied by ${where}: the key needs ${PERMISSION[op]}${op === "list" ? "" : ` and s3:ListBucket`} on this bucket`,
          { cause: e },
        );
      case "PermanentRedirect":
      case "AuthorizationHeaderMalformed":
      case "IllegalLocationConstraintException": {
        const actual = this.bucketRegion(e);
        return new StorageError(
          "invalid_config",
          actual
            ? `The bucket ${this.bucket} is in region ${actual}, not ${this.region}: set the region to ${actual}`
            : `The bucket ${this.bucket} is not in region ${this.region}: set the bucket's region`,
          { cause: e },
        );
      }
      case "InvalidBucketName":
        return new StorageError("invalid_config", `${this.bucket} is not a valid bucket name`, { cause: e });
    }
    const problem = networkProblem(e);
    if (problem && status === undefined) {
      // Virtual-hosted style asks DNS for "<bucket>.<endpoint host>", which S3-compatible
      // servers rarely have.
      const hint =
        this.customEndpoint && !this.forcePathStyle && problem.startsWith("the host name")
          ? ` for ${this.bucket}.${new URL(this.endpointUrl).host} (turn on path-style addressing for MinIO and most S3-compatible servers)`
          : "";
      return unreachable(this.endpointUrl, problem + hint, e);
    }
    if (status === 301) {
      const actual = this.bucketRegion(e);
      return new StorageError(
        "invalid_config",
        `The bucket ${this.bucket} is in ${actual ? `region ${actual}` : "another region"}, not ${this.region}: set the bucket's region`,
        { cause: e },
      );
    }
    if (status === 403) {
      return new StorageError(
        "access_denied",
        `Access denied by ${where}: the key needs ${PERMISSION[op]} on this bucket`,
        { cause: e },
      );
    }
    if (status === 404 && key !== null)
      return new StorageError("not_found", `The object ${key} does not exist in ${where}`, { cause: e });
    return new StorageError(
      "unknown",
      `${where} answered ${name || "an error"}${status ? ` (HTTP ${status})` : ""}: ${briefMessage(e, this.redact)}`,
      { cause: e },
    );
  }

  private endpointNote(): string {
    return this.endpointUrl.endsWith(".amazonaws.com") ? "" : ` at ${this.endpointUrl}`;
  }

  private bucketRegion(e: unknown): string | null {
    const rec = e as { $response?: { headers?: Record<string, string> }; Region?: unknown; BucketRegion?: unknown };
    const r = rec.$response?.headers?.["x-amz-bucket-region"] ?? rec.BucketRegion ?? rec.Region;
    return typeof r === "string" && /^[a-z0-9-]+$/.test(r) ? r : null;
  }

  /** A deadline for a request's answer (a GetObject body may then take its time). */
  private deadline<T>(run: (abortSignal: AbortSignal) => Promise<T>, ms = this.deadlines.requestMs): Promise<T> {
    return withDeadline(ms, this.endpointUrl, run);
  }

  async list(opts: { prefix?: string; token?: string | null; pageSize?: number }): Promise<ListPage> {
    const pageSize = pageSizeOf(opts.pageSize);
    try {
      const out = await this.deadline((abortSignal) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: opts.prefix || undefined,
            ContinuationToken: opts.token || undefined,
            MaxKeys: Math.min(pageSize, 1000),
          }),
          { abortSignal },
        ),
      );
      const objects: StorageObject[] = (out.Contents ?? []).flatMap((o) =>
        o.Key === undefined
          ? []
          : [{ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0), etag: o.ETag ?? null }],
      );
      return { objects, nextToken: out.IsTruncated && out.NextContinuationToken ? out.NextContinuationToken : null };
    } catch (e) {
      throw this.fail(e, "list", null);
    }
  }

  async stat(key: string): Promise<StorageObject> {
    assertValidKey(key);
    try {
      const out = await this.deadline((abortSignal) =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
      );
      return {
        key,
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        etag: out.ETag ?? null,
        lock:
          out.ObjectLockRetainUntilDate || out.ObjectLockLegalHoldStatus === "ON"
            ? { retainUntil: out.ObjectLockRetainUntilDate ?? null, legalHold: out.ObjectLockLegalHoldStatus === "ON" }
            : null,
      };
    } catch (e) {
      throw this.fail(e, "read", key);
    }
  }

  async read(key: string, range?: { start: number; end?: number }): Promise<Readable> {
    assertValidKey(key);
    assertValidRange(range);
    try {
      const out = await this.deadline((abortSignal) =>
        this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Range: range ? `bytes=${range.start}-${range.end ?? ""}` : undefined,
          }),
          { abortSignal },
        ),
      );
      if (!(out.Body instanceof Readable))
        throw new StorageError("unknown", `s3://${this.bucket} sent no body for ${key}`);
      const body = range ? exactRange(out.Body, range, parseContentRange(out.ContentRange)) : out.Body;
      return withMappedErrors(body, (e) => this.fail(e, "read", key));
    } catch (e) {
      throw this.fail(e, "read", key);
    }
  }

  async write(key: string, body: Readable, opts?: { contentType?: string }): Promise<StorageObject> {
    return destroyOnFailure(body, key, async () => {
      assertValidKey(key);
      try {
        // Upload handles a body of unknown length: one PutObject when it is small,
        // multipart otherwise, holding at most queueSize × partSize bytes in memory.
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key: key, Body: body, ContentType: opts?.contentType },
          partSize: PART_SIZE,
          queueSize: 2,
        });
        await upload.done();
      } catch (e) {
        throw this.fail(e, "write", key);
      }
      return this.stat(key);
    });
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.deadline((abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
      );
    } catch (e) {
      const err = this.fail(e, "delete", key);
      if (err.code === "not_found") return;
      throw err;
    }
  }

  async signedDownloadUrl(key: string, expiresInSeconds: number): Promise<string | null> {
    void expiresInSeconds; // see the note at the top: no presigner
    assertValidKey(key);
    return null;
  }

  async probe(): Promise<{ latencyMs: number }> {
    const started = performance.now();
    try {
      await this.deadline(
        (abortSignal) =>
          this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1 }), { abortSignal }),
        this.deadlines.probeMs,
      );
    } catch (e) {
      throw this.fail(e, "list", null);
    }
    return { latencyMs: Math.round(performance.now() - started) };
  }
}
