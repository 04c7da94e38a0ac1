import "server-only";
import { randomUUID } from "node:crypto";
import { bulkInsert, db, optimizeDatabase } from "@/lib/db";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { StorageError, type BackupStorage, type StorageObject } from "@/lib/storage/provider";
import { isCatalogued, parseKey } from "@/lib/backups/parse-key";
import { databaseForKey } from "@/lib/catalog/key-patterns";
import { manifestKey, manifestSchema, MANIFEST_SUFFIX, type Manifest } from "@/lib/backups/manifest";
import { checkManifest, trustedManifest } from "@/lib/backups/manifest-trust";
import { retentionFacts } from "@/lib/backups/retention";
import { refreshSizeAnomalies } from "@/lib/catalog/anomalies";
import type { SyncStatus, SyncTrigger } from "@/lib/catalog/sync-states";
import { checkRpo } from "@/lib/alerts/rpo-check";

// Catalog sync: list a Location page by page into the Backup table, incrementally
// (new, changed, vanished). A failing listing records its error on the SyncRun and
// changes nothing already catalogued; objects are marked vanished only after a
// complete listing. The next page is fetched while the current one is written.

const MANIFEST_MAX_BYTES = 1024 * 1024;
const running = new Map<string, Promise<string>>();

export class SyncBusyError extends Error {}

type Source = { databaseId: string; patterns: string };
type Existing = {
  id: string;
  etag: string | null;
  size: bigint;
  lastModified: Date;
  databaseId: string | null;
  vanished: boolean;
  hasManifest: boolean;
};

export function rowFor(o: StorageObject, databaseId: string | null, manifest: Manifest | null) {
  const parsed = parseKey(o.key);
  // Only a manifest signed by this console may set the format and the time (which decide how a
  // backup is restored and which one is suggested); an unsigned one is kept to be shown. Its
  // "critical" mark is honoured either way: it can only keep a backup longer, never delete one.
  const signed = manifest ? trustedManifest(checkManifest(manifest)) : null;
  const fromManifest = signed ? new Date(signed.createdAt) : null;
  const takenAt = parsed.takenAt ?? fromManifest ?? o.lastModified;
  return {
    key: o.key,
    size: BigInt(o.size),
    lastModified: o.lastModified,
    etag: o.etag,
    takenAt,
    takenAtSource: parsed.takenAt ? "name" : fromManifest ? "manifest" : "modified",
    format: signed?.format ?? parsed.format,
    kind: parsed.kind,
    databaseId,
    critical: manifest?.critical ?? false,
    manifest: manifest ? JSON.stringify(manifest) : null,
    ...retentionFacts(takenAt),
  };
}

async function readManifest(
  storage: BackupStorage,
  key: string,
): Promise<{ manifest: Manifest | null; error: string | null }> {
  try {
    const stream = await storage.read(manifestKey(key));
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > MANIFEST_MAX_BYTES) {
        stream.destroy();
        return { manifest: null, error: "The manifest is larger than 1 MB; ignored." };
      }
      chunks.push(chunk as Buffer);
    }
    const parsed = manifestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    if (!parsed.success)
      return {
        manifest: null,
        error: `The manifest is not valid: ${parsed.error.issues[0]?.message ?? "unknown problem"}`,
      };
    return { manifest: parsed.data, error: null };
  } catch (e) {
    if (e instanceof SyntaxError) return { manifest: null, error: "The manifest is not valid JSON." };
    if (e instanceof StorageError) return { manifest: null, error: `The manifest could not be read: ${e.message}` };
    throw e;
  }
}

async function sendNow() {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A page requested ahead of time: a failure surfaces when it is awaited, never as an unhandled rejection meanwhile. */
function prefetch<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** The catalog row's columns in bulk inserts (the benchmark tops the catalog up with the same). */
export const INSERT_COLUMNS = [
  "id",
  "locationId",
  "key",
  "size",
  "lastModified",
  "etag",
  "takenAt",
  "takenAtSource",
  "format",
  "kind",
  "databaseId",
  "weekday",
  "dayOfMonth",
  "critical",
  "firstSeenAt",
  "lastSeenAt",
];

async function loadExisting(locationId: string): Promise<Map<string, Existing>> {
  // Raw so that the manifests' JSON is not read just to learn whether there is one.
  const rows = await db.$queryRawUnsafe<
    {
      id: string;
      key: string;
      etag: string | null;
      size: bigint | number;
      lastModified: Date | string;
      databaseId: string | null;
      vanished: number | bigint | boolean;
      hasManifest: number | bigint | boolean;
    }[]
  >(
    `SELECT "id", "key", "etag", "size", "lastModified", "databaseId", ("vanishedAt" IS NOT NULL) AS "vanished", ("manifest" IS NOT NULL) AS "hasManifest" FROM "Backup" WHERE "locationId" = ?`,
    locationId,
  );
  return new Map(
    rows.map((b) => [
      b.key,
      {
        id: b.id,
        etag: b.etag,
        size: BigInt(b.size),
        lastModified: new Date(b.lastModified),
        databaseId: b.databaseId,
        vanished: Boolean(Number(b.vanished)),
        hasManifest: Boolean(Number(b.hasManifest)),
      },
    ]),
  );
}

/**
 * Starts a sync of one location and returns its SyncRun id at once, with `done`
 * resolving when it ends (errors are recorded on the run, never thrown from `done`).
 * Refuses a second sync of the same location while one runs.
 */
export async function beginSync(
  locationId: string,
  trigger: SyncTrigger,
  opts: { pageSize?: number } = {},
): Promise<{ runId: string; done: Promise<string> }> {
  if (running.has(locationId)) throw new SyncBusyError("A sync of this location is already running.");
  // Registered before the first await so that two quick clicks cannot both start.
  const created = db.syncRun.create({ data: { locationId, trigger } }).then((r) => r.id);
  const done = created
    .then((id) => syncInto(id, locationId, opts.pageSize ?? 1000))
    // What the sync catalogued may end (or start) an RPO breach: checked now, not minutes later.
    .then((id) => {
      void db.databaseSource
        .findMany({ where: { locationId }, select: { databaseId: true } })
        .then((sources) => checkRpo({ databaseIds: sources.map((s) => s.databaseId) }))
        .catch((e: unknown) => console.error("[lifeboat] the RPO check after a sync failed:", e));
      return id;
    })
    .catch((e: unknown) => {
      console.error("[lifeboat] sync could not record its result:", e);
      return "";
    })
    .finally(() => running.delete(locationId));
  running.set(locationId, done);
  return { runId: await created, done };
}

async function syncInto(runId: string, locationId: string, pageSize: number): Promise<string> {
  const counters = { pages: 0, objectsSeen: 0, added: 0, changed: 0, vanished: 0 };
  try {
    const location = await db.location.findUniqueOrThrow({ where: { id: locationId }, include: { sources: true } });
    const config = fullConfig(location);
    const storage = createStorage(config);
    const sources: Source[] = location.sources.map((s) => ({ databaseId: s.databaseId, patterns: s.patterns }));

    // What is catalogued already loads while the first page is listed.
    let next = prefetch(storage.list({ prefix: config.prefix, token: null, pageSize }));
    const existing = await loadExisting(locationId);

    const seen = new Set<string>();
    const manifestKeys = new Set<string>();
    const touched: StorageObject[] = []; // new or changed: their manifests are (re)read at the end
    const now = new Date();
    let token: string | null = null;
    for (;;) {
      const page = await next;
      token = page.nextToken;
      if (token) {
        next = prefetch(storage.list({ prefix: config.prefix, token, pageSize }));
        // SQLite writes block the event loop: let the next request leave first, so that
        // listing and writing overlap.
        await sendNow();
      }

      const creates: unknown[][] = [];
      const updates = [];
      for (const o of page.objects) {
        if (o.key.endsWith(MANIFEST_SUFFIX)) manifestKeys.add(o.key.slice(0, -MANIFEST_SUFFIX.length));
        if (!isCatalogued(o.key)) continue;
        seen.add(o.key);
        const databaseId = databaseForKey(o.key, config.prefix, sources);
        const before = existing.get(o.key);
        if (!before) {
          const r = rowFor(o, databaseId, null);
          creates.push([
            randomUUID(),
            locationId,
            r.key,
            r.size,
            r.lastModified,
            r.etag,
            r.takenAt,
            r.takenAtSource,
            r.format,
            r.kind,
            r.databaseId,
            r.weekday,
            r.dayOfMonth,
            r.critical,
            now,
            now,
          ]);
          touched.push(o);
        } else if (
          before.vanished ||
          before.etag !== o.etag ||
          before.size !== BigInt(o.size) ||
          before.lastModified.getTime() !== o.lastModified.getTime() ||
          before.databaseId !== databaseId
        ) {
          const contentChanged = before.etag !== o.etag || before.size !== BigInt(o.size);
          updates.push({
            id: before.id,
            data: {
              ...rowFor(o, databaseId, null),
              lastSeenAt: now,
              vanishedAt: null,
              ...(contentChanged
                ? { verificationState: "not_verified", verificationSummary: null, manifest: null }
                : { manifest: undefined }),
            },
          });
          if (contentChanged || !before.hasManifest) touched.push(o);
        }
      }
      if (creates.length) await bulkInsert("Backup", INSERT_COLUMNS, creates);
      if (updates.length)
        await db.$transaction(updates.map((u) => db.backup.update({ where: { id: u.id }, data: u.data })));
      counters.pages++;
      counters.objectsSeen += page.objects.length;
      counters.added += creates.length;
      counters.changed += updates.length;
      await db.syncRun.update({ where: { id: runId }, data: counters });
      if (!token) break;
    }

    // The listing was complete: whatever was catalogued and not seen has vanished.
    const vanishedIds = [...existing.entries()]
      .filter(([key, b]) => !b.vanished && !seen.has(key))
      .map(([, b]) => b.id);
    for (let i = 0; i < vanishedIds.length; i += 500) {
      await db.backup.updateMany({ where: { id: { in: vanishedIds.slice(i, i + 500) } }, data: { vanishedAt: now } });
    }
    counters.vanished = vanishedIds.length;

    // Manifests of new or changed backups (and of ones whose manifest appeared later).
    const touchedKeys = new Set(touched.map((t) => t.key));
    for (const [key, b] of existing) {
      if (!b.vanished && !b.hasManifest && manifestKeys.has(key) && !touchedKeys.has(key))
        touched.push({ key, size: Number(b.size), lastModified: b.lastModified, etag: b.etag });
    }
    for (const o of touched) {
      if (!manifestKeys.has(o.key)) continue;
      const { manifest, error } = await readManifest(storage, o.key);
      const databaseId = databaseForKey(o.key, config.prefix, sources);
      const fields = manifest ? rowFor(o, databaseId, manifest) : {};
      await db.backup.update({
        where: { locationId_key: { locationId, key: o.key } },
        data: { ...fields, manifestError: error },
      });
    }

    // Only a change in what is catalogued can change a size anomaly.
    if (counters.added + counters.changed + counters.vanished > 0)
      await refreshSizeAnomalies([...new Set(sources.map((s) => s.databaseId))]);
    await db.syncRun.update({
      where: { id: runId },
      data: { ...counters, status: "ok" satisfies SyncStatus, finishedAt: new Date() },
    });
    // A catalog that grew or shrank needs fresh statistics, or its filters scan every row.
    if (counters.added + counters.vanished > 0)
      await optimizeDatabase().catch((e: unknown) => console.error("[lifeboat] PRAGMA optimize failed:", e));
  } catch (e) {
    const message =
      e instanceof StorageError
        ? e.message
        : e instanceof Error && e.name === "DecryptError"
          ? e.message
          : "The sync failed unexpectedly; the details are in the server log.";
    if (!(e instanceof StorageError)) console.error("[lifeboat] sync failed:", e);
    await db.syncRun.update({
      where: { id: runId },
      data: { ...counters, status: "error" satisfies SyncStatus, error: message, finishedAt: new Date() },
    });
  }
  return runId;
}

/** After a restart, syncs that were running are not anymore. */
export async function markInterruptedSyncs() {
  await db.syncRun.updateMany({
    where: { status: "running" satisfies SyncStatus },
    data: {
      status: "interrupted" satisfies SyncStatus,
      finishedAt: new Date(),
      error: "The console stopped during this sync. It is safe to sync again.",
    },
  });
}

export function isSyncRunning(locationId: string): boolean {
  return running.has(locationId);
}
