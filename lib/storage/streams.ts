import { PassThrough, Transform, type Readable } from "node:stream";
import { StorageError } from "./provider";

/**
 * Forwards `source` through a new stream whose errors are StorageErrors (mapped by `map`),
 * so that failures after read() returned look like every other storage failure. Destroying
 * the returned stream destroys the source (closes the connection).
 */
export function withMappedErrors(
  source: NodeJS.ReadableStream | Readable,
  map: (e: unknown) => StorageError,
): Readable {
  const out = new PassThrough();
  const src = source as Readable;
  src.on("error", (e) => out.destroy(e instanceof StorageError ? e : map(e)));
  out.on("close", () => {
    if (!src.destroyed) src.destroy();
  });
  src.pipe(out);
  return out;
}

/**
 * Runs a write of `body`; on failure destroys `body` (so a producer piping into it stops).
 * When the body itself failed (pg_dump died, a read broke), says so rather than blaming
 * the storage.
 */
export async function destroyOnFailure<T>(body: Readable, key: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!body.destroyed) body.destroy();
    const source = body.errored;
    if (source && !(e instanceof StorageError && e.code === "invalid_key")) {
      const what = source instanceof Error ? source.message.split("\n")[0] : String(source);
      throw new StorageError(
        "unknown",
        `The data for ${key} failed before it was complete, so nothing was stored: ${what}`,
        { cause: source },
      );
    }
    throw e;
  }
}

/** Parses "bytes START-END/SIZE" (Content-Range). */
export function parseContentRange(header: string | undefined): { start: number; end: number } | null {
  const m = header ? /^bytes (\d+)-(\d+)\//.exec(header) : null;
  return m ? { start: Number(m[1]), end: Number(m[2]) } : null;
}

/**
 * Some S3-compatible servers answer a Range request with more than was asked (s3rver
 * treats "bytes=0-0" as "from 0 to the end"; others ignore Range). Given what the server
 * says it sent (`served`, or null for the whole object), returns a stream of exactly the
 * requested bytes: extra bytes before are skipped, the stream ends (and the download is
 * closed) after the last one.
 */
export function exactRange(
  source: Readable,
  requested: { start: number; end?: number },
  served: { start: number; end: number } | null,
): Readable {
  const servedStart = served?.start ?? 0;
  if (servedStart > requested.start) {
    source.destroy();
    throw new StorageError(
      "unknown",
      `The server sent bytes from ${servedStart} when asked for bytes from ${requested.start}`,
    );
  }
  const wantedEnd = requested.end ?? Number.POSITIVE_INFINITY;
  if (servedStart === requested.start && served !== null && served.end <= wantedEnd) return source;
  let skip = requested.start - servedStart;
  let left = wantedEnd - requested.start + 1;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      let c = chunk;
      if (skip > 0) {
        const n = Math.min(skip, c.length);
        skip -= n;
        c = c.subarray(n);
      }
      if (left <= 0 || c.length === 0) return done();
      const part = c.length > left ? c.subarray(0, left) : c;
      left -= part.length;
      this.push(part);
      if (left <= 0) {
        this.push(null);
        source.unpipe(this);
        source.destroy();
      }
      done();
    },
  });
  source.on("error", (e) => out.destroy(e));
  out.on("close", () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(out);
  return out;
}
