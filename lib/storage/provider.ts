import type { Readable } from "node:stream";

// The one interface every storage driver implements (local, s3, azure, gcs).
// Keys are full object keys inside the bucket / container / folder (the Location's
// prefix is part of the key). Every method documents what it throws: only
// StorageError, whose `message` is safe to show to the user (no secrets) and says
// what to fix.

export type StorageObject = {
  key: string;
  size: number;
  lastModified: Date;
  /** Provider's entity tag or equivalent when it has one; used to notice changed objects. */
  etag: string | null;
  /**
   * Object lock / immutability / holds, when the provider reported them (stat only; list leaves
   * it undefined). Retention reads it so a locked object is reported "retained until", not deleted
   * (a versioned bucket would otherwise only hide it behind a delete marker).
   */
  lock?: ObjectLock | null;
};

export type ObjectLock = { retainUntil: Date | null; legalHold: boolean };

export type ListPage = { objects: StorageObject[]; nextToken: string | null };

export type StorageErrorCode =
  | "not_found" // the object does not exist
  | "no_such_bucket" // the bucket / container / folder does not exist
  | "access_denied" // credentials rejected or lacking permission
  | "unreachable" // endpoint did not answer (DNS, refused, timeout, TLS)
  | "invalid_key" // a key that cannot be used safely (escapes the root, NUL, too long)
  | "invalid_config" // the location's configuration cannot work as given
  | "unknown";

export class StorageError extends Error {
  constructor(
    public readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StorageError";
  }
}

export interface BackupStorage {
  readonly kind: "local" | "s3" | "azure" | "gcs";
  /** A short, secret-free description such as "s3://bucket/prefix" for logs and the UI. */
  readonly description: string;

  /**
   * One page of objects whose keys start with `prefix`, in the provider's order.
   * Pass the previous page's nextToken to continue; nextToken null means the end.
   * Throws StorageError: no_such_bucket, access_denied, unreachable, unknown.
   */
  list(opts: { prefix?: string; token?: string | null; pageSize?: number }): Promise<ListPage>;

  /** Throws StorageError: not_found, invalid_key, access_denied, unreachable, unknown. */
  stat(key: string): Promise<StorageObject>;

  /**
   * A stream of the object's bytes (optionally a byte range, end inclusive). Never buffers
   * the whole object. Throws StorageError: not_found, invalid_key, access_denied,
   * unreachable, unknown (errors after the stream started are emitted on the stream).
   */
  read(key: string, range?: { start: number; end?: number }): Promise<Readable>;

  /**
   * Writes a stream of unknown length to `key` (replacing it) and returns its stat.
   * Throws StorageError: invalid_key, no_such_bucket, access_denied, unreachable, unknown.
   */
  write(key: string, body: Readable, opts?: { contentType?: string }): Promise<StorageObject>;

  /** Deleting a missing object is not an error. Throws StorageError: invalid_key, access_denied, unreachable, unknown. */
  delete(key: string): Promise<void>;

  /**
   * A time-limited URL the browser can download from directly, or null when the provider
   * has none (local) and the console must stream the bytes itself.
   */
  signedDownloadUrl(key: string, expiresInSeconds: number): Promise<string | null>;

  /**
   * Readiness: can we list the bucket with these credentials? Resolves with the round-trip
   * latency; throws StorageError with a message that says what to fix.
   */
  probe(): Promise<{ latencyMs: number }>;
}
