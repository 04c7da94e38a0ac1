import {
  AnonymousCredential,
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  type ContainerClient,
  type StoragePipelineOptions,
} from "@azure/storage-blob";
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
import { destroyOnFailure, withMappedErrors } from "./streams";
import { assertValidKey, assertValidRange, pageSizeOf } from "./keys";
import { StorageError, type BackupStorage, type ListPage, type StorageObject } from "./provider";
import type { AzureConfig } from "./azure-config";

// Azure Blob Storage (or Azurite): a container, reached with a connection string, or an
// account name with an account key or a SAS token.

type Operation = "list" | "read" | "write" | "delete";

/** uploadStream block size and concurrency: at most ~3 blocks of 8 MiB in memory. */
const BLOCK_SIZE = 8 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 2;

const PIPELINE_OPTIONS: StoragePipelineOptions = {
  // One retry, quickly: an unreachable account should fail in seconds, not minutes.
  retryOptions: { maxTries: 2, retryDelayInMs: 300, maxRetryDelayInMs: 1_000 },
};

function errorCode(e: unknown): string {
  if (typeof e !== "object" || e === null) return "";
  const rec = e as { code?: unknown; details?: { errorCode?: unknown } };
  const c = rec.details?.errorCode ?? rec.code;
  return typeof c === "string" ? c : "";
}

export class AzureStorage implements BackupStorage {
  readonly kind = "azure" as const;
  readonly description: string;
  private readonly container: ContainerClient;
  private readonly containerName: string;
  private readonly accountName: string;
  /** The blob endpoint without any SAS, for messages. */
  private readonly endpointUrl: string;
  private readonly canSign: boolean;
  private readonly redact: (text: string) => string;

  /** `deadlines`: how long a request may wait for an answer before it counts as unreachable. */
  constructor(
    config: AzureConfig,
    private readonly deadlines: Deadlines = DEFAULT_DEADLINES,
  ) {
    this.containerName = config.container;
    this.redact = makeRedactor([config.connectionString, config.accountKey, config.sasToken]);
    let service: BlobServiceClient;
    // A connection string carries its own endpoint (BlobEndpoint=…): `endpoint` is for
    // the account-name forms only.
    if (config.connectionString.trim()) {
      try {
        service = BlobServiceClient.fromConnectionString(config.connectionString.trim(), PIPELINE_OPTIONS);
      } catch {
        // The SDK's message may quote the string; say what is expected instead.
        throw new StorageError(
          "invalid_config",
          "The connection string is not valid: copy it from the storage account's Access keys page (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…)",
        );
      }
      this.canSign = service.credential instanceof StorageSharedKeyCredential;
    } else if (config.accountName.trim()) {
      const account = config.accountName.trim();
      const base = config.endpoint
        ? parseEndpoint(config.endpoint, "http://127.0.0.1:10000/devstoreaccount1")
        : `https://${account}.blob.core.windows.net`;
      if (config.accountKey.trim()) {
        service = new BlobServiceClient(
          base,
          new StorageSharedKeyCredential(account, config.accountKey.trim()),
          PIPELINE_OPTIONS,
        );
        this.canSign = true;
      } else if (config.sasToken.trim()) {
        const sas = config.sasToken.trim().replace(/^\?/, "");
        service = new BlobServiceClient(`${base}?${sas}`, new AnonymousCredential(), PIPELINE_OPTIONS);
        // Handing the location's own SAS to a browser would leak it: no signed URLs.
        this.canSign = false;
      } else {
        throw new StorageError("invalid_config", `Enter the account key or a SAS token for the account ${account}`);
      }
    } else {
      throw new StorageError(
        "invalid_config",
        "Enter a connection string, or an account name with an account key or a SAS token",
      );
    }
    this.accountName = service.accountName;
    this.container = service.getContainerClient(config.container);
    const url = new URL(this.container.url);
    this.endpointUrl = `${url.origin}${url.pathname.replace(/\/[^/]*$/, "")}`;
    this.description = `azure://${this.accountName}/${config.container}/${config.prefix} at ${url.origin}`;
  }

  private fail(e: unknown, op: Operation, key: string | null): StorageError {
    if (e instanceof StorageError) return e;
    const code = errorCode(e);
    const status = httpStatusOf(e);
    const where = `container ${this.containerName}`;
    switch (code) {
      case "ContainerNotFound":
        return new StorageError(
          "no_such_bucket",
          `The container ${this.containerName} does not exist in the storage account ${this.accountName}`,
          { cause: e },
        );
      case "BlobNotFound":
        return new StorageError("not_found", `The object ${key ?? ""} does not exist in the ${where}`, { cause: e });
      case "AuthenticationFailed":
      case "InvalidAuthenticationInfo":
        return new StorageError(
          "access_denied",
          `The storage account ${this.accountName} rejected the credentials: the account key, SAS token or connection string is wrong or expired`,
          { cause: e },
        );
      case "AuthorizationFailure":
        // Azurite says this for a wrong key; Azure for a firewall or a SAS that does not fit.
        return new StorageError(
          "access_denied",
          `Access denied by the ${where}: the account key or SAS token is wrong or lacks ${op} permission, or the storage account's firewall blocks the console's server`,
          { cause: e },
        );
      case "AuthorizationPermissionMismatch":
      case "AuthorizationResourceTypeMismatch":
      case "AuthorizationServiceMismatch":
      case "AuthorizationSourceIPMismatch":
      case "AuthorizationProtocolMismatch":
      case "InsufficientAccountPermissions": {
        const need = { list: "list", read: "read", write: "write and create", delete: "delete" }[op];
        return new StorageError(
          "access_denied",
          `Access denied by the ${where}: the credentials need ${need} permission on this container${code === "AuthorizationSourceIPMismatch" ? " from the console's IP address" : ""}`,
          { cause: e },
        );
      }
      case "AccountIsDisabled":
        return new StorageError("access_denied", `The storage account ${this.accountName} is disabled`, { cause: e });
      case "InvalidResourceName":
        return new StorageError("invalid_config", `${this.containerName} is not a valid container name`, { cause: e });
    }
    const problem = networkProblem(e);
    if (problem && (status === undefined || status === 0)) return unreachable(this.endpointUrl, problem, e);
    if (status === 404) {
      if (key !== null)
        return new StorageError("not_found", `The object ${key} does not exist in the ${where}`, { cause: e });
      return new StorageError(
        "no_such_bucket",
        `The container ${this.containerName} does not exist in the storage account ${this.accountName}`,
        { cause: e },
      );
    }
    if (status === 403 || status === 401) {
      return new StorageError(
        "access_denied",
        `Access denied by the ${where}: check the account key or SAS token and its permissions`,
        { cause: e },
      );
    }
    return new StorageError(
      "unknown",
      `The ${where} answered ${code || "an error"}${status ? ` (HTTP ${status})` : ""}: ${briefMessage(e, this.redact)}`,
      { cause: e },
    );
  }

  /** A deadline for a request's answer (a download's body may then take its time). */
  private deadline<T>(run: (abortSignal: AbortSignal) => Promise<T>, ms = this.deadlines.requestMs): Promise<T> {
    return withDeadline(ms, this.endpointUrl, run);
  }

  async list(opts: { prefix?: string; token?: string | null; pageSize?: number }): Promise<ListPage> {
    const pageSize = pageSizeOf(opts.pageSize);
    try {
      const page = await this.deadline((abortSignal) =>
        this.container
          .listBlobsFlat({ prefix: opts.prefix || undefined, abortSignal })
          .byPage({ continuationToken: opts.token || undefined, maxPageSize: Math.min(pageSize, 5000) })
          .next(),
      );
      if (page.done) return { objects: [], nextToken: null };
      const value = page.value;
      const objects: StorageObject[] = value.segment.blobItems.map((b) => ({
        key: b.name,
        size: b.properties.contentLength ?? 0,
        lastModified: b.properties.lastModified,
        etag: bareEtag(b.properties.etag),
      }));
      return { objects, nextToken: value.continuationToken || null };
    } catch (e) {
      throw this.fail(e, "list", null);
    }
  }

  async stat(key: string): Promise<StorageObject> {
    assertValidKey(key);
    try {
      const p = await this.deadline((abortSignal) => this.container.getBlobClient(key).getProperties({ abortSignal }));
      return {
        key,
        size: p.contentLength ?? 0,
        lastModified: p.lastModified ?? new Date(0),
        etag: bareEtag(p.etag),
        lock:
          p.immutabilityPolicyExpiresOn || p.legalHold
            ? { retainUntil: p.immutabilityPolicyExpiresOn ?? null, legalHold: p.legalHold === true }
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
      const offset = range?.start ?? 0;
      const count = range?.end !== undefined ? range.end - offset + 1 : undefined;
      const res = await this.deadline((abortSignal) =>
        this.container.getBlobClient(key).download(offset, count, { maxRetryRequests: 2, abortSignal }),
      );
      const body = res.readableStreamBody;
      if (!body) throw new StorageError("unknown", `The ${this.containerName} container sent no body for ${key}`);
      return withMappedErrors(body instanceof Readable ? body : new Readable().wrap(body), (e) =>
        this.fail(e, "read", key),
      );
    } catch (e) {
      throw this.fail(e, "read", key);
    }
  }

  async write(key: string, body: Readable, opts?: { contentType?: string }): Promise<StorageObject> {
    return destroyOnFailure(body, key, async () => {
      assertValidKey(key);
      try {
        await this.container.getBlockBlobClient(key).uploadStream(body, BLOCK_SIZE, UPLOAD_CONCURRENCY, {
          blobHTTPHeaders: opts?.contentType ? { blobContentType: opts.contentType } : undefined,
        });
      } catch (e) {
        throw this.fail(e, "write", key);
      }
      return this.stat(key);
    });
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.deadline((abortSignal) => this.container.getBlobClient(key).deleteIfExists({ abortSignal }));
    } catch (e) {
      throw this.fail(e, "delete", key);
    }
  }

  async signedDownloadUrl(key: string, expiresInSeconds: number): Promise<string | null> {
    assertValidKey(key);
    if (!this.canSign) return null;
    // One clock reading, so the URL lives exactly expiresInSeconds (plus the start's slack).
    const now = Date.now();
    try {
      return await this.container.getBlobClient(key).generateSasUrl({
        permissions: BlobSASPermissions.parse("r"),
        // A few minutes' slack for clocks that disagree.
        startsOn: new Date(now - 5 * 60_000),
        expiresOn: new Date(now + expiresInSeconds * 1000),
      });
    } catch {
      return null;
    }
  }

  async probe(): Promise<{ latencyMs: number }> {
    const started = performance.now();
    try {
      await this.deadline(
        (abortSignal) => this.container.listBlobsFlat({ abortSignal }).byPage({ maxPageSize: 1 }).next(),
        this.deadlines.probeMs,
      );
    } catch (e) {
      throw this.fail(e, "list", null);
    }
    return { latencyMs: Math.round(performance.now() - started) };
  }
}

/** Azure lists an etag bare (0x8D…) but sends it quoted ("0x8D…") in a blob's properties: one
 * spelling, so that a sync after a stat does not take the same blob for a changed one. */
function bareEtag(etag: string | undefined): string | null {
  if (!etag) return null;
  return etag.replace(/^"(.*)"$/, "$1");
}
