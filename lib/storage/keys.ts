import { StorageError } from "./provider";

// Key rules shared by every driver, so a key that works in one Location works in all of
// them and a key can never mean "somewhere else" on any of them: no NUL or other control
// characters, no leading "/", no "." or ".." segment, no backslash (a separator on
// Windows and in some S3-compatible servers' path handling), at most 1,024 UTF-8 bytes
// (S3's and GCS's limit).

export const MAX_KEY_BYTES = 1024;

export function assertValidKey(key: string): void {
  if (typeof key !== "string" || key.length === 0) {
    throw new StorageError("invalid_key", "The object key is empty");
  }
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > MAX_KEY_BYTES) {
    throw new StorageError(
      "invalid_key",
      `The object key is ${bytes} bytes long; keys can be at most ${MAX_KEY_BYTES} bytes`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} contains a NUL or control character`);
  }
  if (/[\ud800-\udfff]/u.test(key)) {
    throw new StorageError("invalid_key", "The object key is not valid Unicode (a lone surrogate)");
  }
  if (key.startsWith("/")) {
    throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} starts with "/"; keys are relative`);
  }
  if (key.includes("\\")) {
    throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} contains a backslash`);
  }
  if (key.split("/").some((s) => s === "." || s === "..")) {
    throw new StorageError("invalid_key", `The object key ${JSON.stringify(key)} contains a "." or ".." segment`);
  }
}

/** Byte order of the keys' UTF-8 encodings: the order S3, Azure and GCS list in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export const DEFAULT_PAGE_SIZE = 1000;

export function pageSizeOf(pageSize: number | undefined): number {
  if (pageSize === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new StorageError("unknown", `The page size must be a positive whole number, not ${pageSize}`);
  }
  return pageSize;
}

export function assertValidRange(range: { start: number; end?: number } | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new StorageError("unknown", `The byte range ${start}-${end ?? ""} is not valid`);
  }
}
