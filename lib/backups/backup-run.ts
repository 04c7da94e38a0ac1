import "server-only";
import { z } from "zod";
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { connectionOf } from "@/lib/databases/mutations";
import { headSourceOf } from "@/lib/postgres/head-query";
import { pgDumpArgs } from "@/lib/postgres/commands";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { StorageError, type BackupStorage } from "@/lib/storage/provider";
import { createBackup, type CreateBackupResult } from "@/lib/backups/create-backup";
import { manifestKey, manifestSchema, type Manifest } from "@/lib/backups/manifest";
import { rowFor } from "@/lib/catalog/sync";
import { databaseForKey, splitPatterns } from "@/lib/catalog/key-patterns";
import { refreshSizeAnomalies } from "@/lib/catalog/anomalies";
import { raiseAlert, resolveAlert } from "@/lib/alerts/incidents";
import { formatBytes } from "@/lib/format/bytes";
import { createRun, startWithoutConfirmation, type RunActor } from "@/lib/runner/runs";
import type { RunForPlan } from "@/lib/runner/execute";
import { storedRunStatus } from "@/lib/runner/states";
import type { Plan, PlannedStep, StepContext } from "@/lib/runner/types";
import { BACKUP_LABEL_DISPLAY, type BackupLabel } from "@/lib/backups/labels";
import { verifyUnattended } from "@/lib/backups/verify-job";
import {
  BACKUP_RUN_FORMAT_LABELS,
  BACKUP_RUN_SCENARIO,
  BACKUP_RUN_VERSION,
  backupFolder,
  backupKeyFor,
  backupRunOptionsSchema,
  type BackupRunFormat,
  type BackupRunOptions,
} from "@/lib/backups/backup-run-kind";

// A backup as a run of the runner (live log, progress in bytes, cancel, lease, one run per
// database through RunLock): step 1 streams pg_dump into the location with its signed manifest
// (createBackup, which deletes whatever it wrote when anything fails) and catalogues the new
// object with its label at once; one more step per copy location copies the object and its
// manifest there and reads the copy back to compare its sha256. A failed run raises
// backup_failed for the database; the next good one resolves it.
//
// Resume policy: every step is safe to run again. A backup step that finds its object with a
// manifest adopts it (the console stopped after the upload); an object without a manifest is a
// partial upload of this very run (the key is unique to it) and is deleted before the retry.

export type BackupRetryTimings = { delaysMs: number[] };
let retry: BackupRetryTimings = { delaysMs: [15_000, 60_000] };

/** Tests shorten the backoff; returns the previous timings. */
export function configureBackupRetries(next: BackupRetryTimings): BackupRetryTimings {
  const previous = retry;
  retry = next;
  return previous;
}

export const backupStepResultSchema = z.object({
  key: z.string(),
  size: z.number(),
  sha256: z.string(),
  backupId: z.string(),
  location: z.string(),
  verdict: z.string(),
});
export type BackupStepResult = z.infer<typeof backupStepResultSchema>;

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A storage failure in words the run page can show (StorageError messages are safe to show). */
function shown(e: unknown, where: string): unknown {
  if (e instanceof StorageError) return new UserError(`${where}: ${e.message}`, 502);
  return e;
}

function describeError(e: unknown): string {
  if (e instanceof UserError || e instanceof StorageError) return e.message;
  return "an unexpected error (the details are in the server log)";
}

async function exists(storage: BackupStorage, key: string): Promise<boolean> {
  return storage.stat(key).then(
    () => true,
    (e: unknown) => {
      if (e instanceof StorageError && e.code === "not_found") return false;
      throw e;
    },
  );
}

async function readManifestOf(storage: BackupStorage, key: string): Promise<Manifest | null> {
  if (!(await exists(storage, manifestKey(key)))) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.read(manifestKey(key))) chunks.push(chunk as Buffer);
  const parsed = manifestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
  return parsed.success ? parsed.data : null;
}

type LocationRow = NonNullable<Awaited<ReturnType<typeof loadLocation>>>;
async function loadLocation(id: string) {
  return db.location.findUnique({ where: { id } });
}

/**
 * Catalogues a backup Lifeboat just wrote (or copied), with its label, without waiting for the
 * next sync; and makes sure the database's key patterns in that location match Lifeboat's folder,
 * so later syncs keep the backup assigned to the database.
 */
export async function catalogWrittenBackup(input: {
  location: LocationRow;
  databaseId: string;
  databaseName: string;
  key: string;
  label: BackupLabel;
  manifest: Manifest;
  storage: BackupStorage;
  log?: (text: string) => void;
}): Promise<string> {
  const { location, databaseId, key } = input;
  const prefix = fullConfig(location).prefix ?? "";
  const sources = await db.databaseSource.findMany({ where: { locationId: location.id } });
  const owner = databaseForKey(
    key,
    prefix,
    sources.map((s) => ({ databaseId: s.databaseId, patterns: s.patterns })),
  );
  if (owner !== databaseId) {
    const pattern = `${backupFolder(input.databaseName)}*`;
    const mine = sources.find((s) => s.databaseId === databaseId);
    if (owner !== null && owner !== databaseId) {
      input.log?.(
        `Another database's key patterns in ${location.name} match ${key}: the next sync may assign it there. Narrow that database's patterns in Settings → Databases.`,
      );
    }
    if (!mine) {
      await db.databaseSource.create({ data: { databaseId, locationId: location.id, patterns: pattern } });
    } else if (!splitPatterns(mine.patterns).includes(pattern)) {
      await db.databaseSource.update({
        where: { id: mine.id },
        data: { patterns: `${mine.patterns.trim()}\n${pattern}`.trim() },
      });
    }
    input.log?.(
      `Added the key pattern ${pattern} to ${input.databaseName} in ${location.name}, so every sync keeps Lifeboat's backups assigned to it.`,
    );
  }
  const object = await input.storage.stat(key);
  const row = rowFor(object, databaseId, input.manifest);
  const now = new Date();
  const saved = await db.backup.upsert({
    where: { locationId_key: { locationId: location.id, key } },
    create: { ...row, locationId: location.id, label: input.label, firstSeenAt: now, lastSeenAt: now },
    update: {
      ...row,
      label: input.label,
      lastSeenAt: now,
      vanishedAt: null,
      manifestError: null,
      verificationState: "not_verified",
      verificationSummary: null,
    },
    select: { id: true },
  });
  await refreshSizeAnomalies([databaseId]);
  return saved.id;
}

async function backupStep(ctx: StepContext, o: BackupRunOptions, databaseId: string): Promise<BackupStepResult> {
  const database = await db.database.findUnique({ where: { id: databaseId } });
  if (!database) throw new NotFoundError("The database");
  const location = await loadLocation(o.locationId);
  if (!location)
    throw new UserError("The backup's location was removed from Lifeboat; start a new backup to another one.", 409);
  const storage = createStorage(fullConfig(location));
  const conn = await connectionOf(database.id);

  let result: CreateBackupResult | null = null;
  // Resumed after the console stopped: whatever this run wrote before is either whole (it has
  // its manifest) or a partial upload to delete.
  try {
    const manifest = await readManifestOf(storage, o.key);
    if (manifest) {
      const stat = await storage.stat(o.key);
      if (stat.size === manifest.size) {
        ctx.log(`${o.key} was already stored whole before the console stopped; it is kept as this run's backup.`);
        result = { key: o.key, size: manifest.size, sha256: manifest.sha256, manifest };
      }
    }
    if (!result && (await exists(storage, o.key))) {
      ctx.log(`Deleting the partial ${o.key} an interrupted attempt of this run left, before backing up again.`);
      await storage.delete(o.key);
      await storage.delete(manifestKey(o.key));
    }
  } catch (e) {
    throw shown(e, `${location.name} could not be read`);
  }

  const attempts = retry.delaysMs.length + 1;
  for (let attempt = 1; !result; attempt++) {
    ctx.log(
      `${attempt === 1 ? "Backing up" : `Attempt ${attempt} of ${attempts}: backing up`} ${database.name} (${conn.database} on ${conn.host}:${conn.port}) into ${location.name} as ${o.key} (${BACKUP_RUN_FORMAT_LABELS[o.format]}).`,
    );
    try {
      result = await createBackup({
        conn,
        storage,
        key: o.key,
        format: o.format,
        critical: o.label === "critical",
        migrationHead: headSourceOf(database),
        onProgress: (bytes) => ctx.progress(bytes, null),
        signal: ctx.signal,
      });
    } catch (e) {
      const cancelled = ctx.signal.aborted || (e instanceof UserError && e.status === 499);
      const error = shown(e, `${location.name} refused the backup`);
      if (cancelled || attempt >= attempts) throw error;
      const delay = retry.delaysMs[attempt - 1] ?? 0;
      ctx.log(
        `Attempt ${attempt} of ${attempts} failed and left nothing behind: ${describeError(e)} Trying again in ${Math.round(delay / 1000)} s.`,
        "error",
      );
      await wait(delay, ctx.signal);
    }
  }

  const backupId = await catalogWrittenBackup({
    location,
    databaseId: database.id,
    databaseName: database.name,
    key: result.key,
    label: o.label,
    manifest: result.manifest,
    storage,
    log: (t) => ctx.log(t),
  });
  await db.run.update({ where: { id: ctx.runId }, data: { backupId } });
  const rows = result.manifest.tables.reduce((n, t) => n + t.rows, 0);
  ctx.log(
    `Stored ${result.key} in ${location.name}: ${formatBytes(result.size)}, sha256 ${result.sha256}; manifest signed with ${result.manifest.tables.length} tables and ${rows.toLocaleString("en")} rows.`,
  );
  return {
    key: result.key,
    size: result.size,
    sha256: result.sha256,
    backupId,
    location: location.name,
    verdict: `Backed up ${database.name} to ${location.name} as ${result.key} (${formatBytes(result.size)}, sha256 ${result.sha256.slice(0, 12)}…), labelled ${o.label}.`,
  };
}

/** The copy's key in the destination: the same path below the destination's prefix. */
function copyKeyOf(sourceKey: string, sourcePrefix: string, destPrefix: string): string {
  const relative =
    sourcePrefix && sourceKey.startsWith(sourcePrefix) ? sourceKey.slice(sourcePrefix.length) : sourceKey;
  const prefix = destPrefix && !destPrefix.endsWith("/") ? `${destPrefix}/` : destPrefix;
  return `${prefix}${relative.replace(/^\/+/, "")}`;
}

async function sha256Of(stream: Readable, onBytes?: (n: number) => void): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.(size);
  }
  return { sha256: hash.digest("hex"), size };
}

async function copyStep(
  ctx: StepContext,
  o: BackupRunOptions,
  databaseId: string,
  destinationId: string,
): Promise<{ key: string; location: string; sha256: string; backupId: string; verdict: string }> {
  const made = ctx.results.backup as BackupStepResult | undefined;
  if (!made) throw new Error("the copy step needs the backup step's result");
  const database = await db.database.findUnique({ where: { id: databaseId } });
  if (!database) throw new NotFoundError("The database");
  const [source, dest] = await Promise.all([loadLocation(o.locationId), loadLocation(destinationId)]);
  if (!source) throw new UserError("The backup's location was removed from Lifeboat.", 409);
  if (!dest) throw new UserError("The copy's location was removed from Lifeboat; edit the schedule's copies.", 409);
  const sourceConfig = fullConfig(source);
  const destConfig = fullConfig(dest);
  const from = createStorage(sourceConfig);
  const to = createStorage(destConfig);
  const key = copyKeyOf(made.key, sourceConfig.prefix ?? "", destConfig.prefix ?? "");
  const manifest = await readManifestOf(from, made.key).catch((e: unknown) => {
    throw shown(e, `${source.name} could not be read`);
  });
  if (!manifest)
    throw new UserError(`${made.key} has no manifest in ${source.name} any more; nothing was copied.`, 409);

  ctx.log(`Copying ${made.key} (${formatBytes(made.size)}) from ${source.name} to ${dest.name} as ${key}.`);
  try {
    const hash = createHash("sha256");
    let sent = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        sent += chunk.length;
        ctx.progress(sent, made.size);
        cb(null, chunk);
      },
    });
    const body = await from.read(made.key);
    const piping = pipeline(body, meter).then(
      () => null,
      (e: unknown) => e,
    );
    try {
      await to.write(key, meter, { contentType: "application/octet-stream" });
    } catch (e) {
      // The destination gave up: stop reading the source too, or the pipeline waits forever.
      meter.destroy();
      body.destroy();
      await piping;
      throw e;
    }
    const pipeError = await piping;
    if (pipeError) throw pipeError;
    const sentSha256 = hash.digest("hex");
    if (sentSha256 !== manifest.sha256)
      throw new UserError(
        `${made.key} in ${source.name} now reads with sha256 ${sentSha256}, not the ${manifest.sha256} its manifest names: it changed since it was written, so it was not copied. Verify it.`,
        409,
      );
    ctx.signal.throwIfAborted();
    // Read back from the destination: the copy counts only if its bytes are the backup's.
    ctx.log(`Reading the copy back from ${dest.name} to compare its checksum.`);
    const back = await sha256Of(await to.read(key));
    if (back.sha256 !== manifest.sha256 || back.size !== manifest.size) {
      await to.delete(key).catch(() => undefined);
      throw new UserError(
        `The copy in ${dest.name} reads back as ${formatBytes(back.size)} with sha256 ${back.sha256}, not the backup's ${formatBytes(manifest.size)} and ${manifest.sha256}: it was deleted. Check ${dest.name} and run the backup again.`,
        502,
      );
    }
    await to.write(manifestKey(key), Readable.from([Buffer.from(JSON.stringify(manifest, null, 2) + "\n")]), {
      contentType: "application/json",
    });
  } catch (e) {
    await to.delete(key).catch(() => undefined);
    await to.delete(manifestKey(key)).catch(() => undefined);
    throw shown(e, `The copy to ${dest.name} failed and nothing was kept there`);
  }
  const backupId = await catalogWrittenBackup({
    location: dest,
    databaseId,
    databaseName: database.name,
    key,
    label: o.label,
    manifest,
    storage: to,
    log: (t) => ctx.log(t),
  });
  ctx.log(`The copy in ${dest.name} is verified: sha256 ${manifest.sha256} read back from the destination.`);
  return {
    key,
    location: dest.name,
    sha256: manifest.sha256,
    backupId,
    verdict: `${made.verdict} Copied to ${dest.name} and verified there by checksum.`,
  };
}

/** The plan: a backup step and one copy step per copy location. Pure apart from its names. */
export async function buildBackupPlan(databaseId: string, o: BackupRunOptions): Promise<Plan> {
  const database = await db.database.findUnique({ where: { id: databaseId } });
  if (!database) throw new NotFoundError("The database");
  const locations = await db.location.findMany({
    where: { id: { in: [o.locationId, ...o.copyLocationIds] } },
    select: { id: true, name: true },
  });
  const nameOf = (id: string) => locations.find((l) => l.id === id)?.name ?? "(a removed location)";
  const steps: PlannedStep[] = [
    {
      key: "backup",
      title: `Back up ${database.name} to ${nameOf(o.locationId)}`,
      kind: "automatic",
      command: [...pgDumpArgs({ format: o.format === "custom" ? "custom" : "plain", database: database.dbName })],
      description: `pg_dump streams ${o.format === "custom" ? "a custom-format archive" : "plain SQL through gzip"} straight into ${nameOf(o.locationId)} as ${o.key}, with a signed manifest (sha256, size, versions, migration head, row counts from the same snapshot). A failure deletes whatever was written.`,
      run: (ctx) => backupStep(ctx, o, databaseId),
    },
    ...o.copyLocationIds.map((id, i): PlannedStep => ({
      key: `copy-${i + 1}`,
      title: `Copy to ${nameOf(id)} and verify it there`,
      kind: "automatic",
      command: null,
      description: `Streams the new backup and its manifest to ${nameOf(id)}, then reads the copy back and compares its sha256 with the manifest's.`,
      run: (ctx) => copyStep(ctx, o, databaseId, id),
    })),
  ];
  return {
    scenarioId: BACKUP_RUN_SCENARIO,
    scenarioVersion: BACKUP_RUN_VERSION,
    steps,
    summary: {
      backup: {
        key: o.key,
        format: o.format,
        location: nameOf(o.locationId),
        label: o.label,
        copies: o.copyLocationIds.map(nameOf),
      },
      trigger: o.trigger,
      requestedBy: o.requestedBy,
      ...(o.dueAt ? { dueAt: o.dueAt, lateByMs: o.lateByMs ?? 0 } : {}),
    },
  };
}

/** The runner's resolvePlan for backup runs. */
export async function resolveBackupPlan(run: RunForPlan): Promise<Plan> {
  const parsed = backupRunOptionsSchema.safeParse(run.options);
  if (!parsed.success)
    throw new UserError("This backup run's stored options are damaged, so it cannot run: start a new backup.", 409);
  return buildBackupPlan(run.databaseId, parsed.data);
}

/** backup_failed for the database while its last backup run failed; resolved by the next good one. */
export async function reconcileBackupAlert(runId: string, now?: Date): Promise<void> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: {
      id: true,
      status: true,
      scenarioId: true,
      databaseId: true,
      verdict: true,
      steps: { where: { key: "backup" }, select: { status: true } },
    },
  });
  if (!run || run.scenarioId !== BACKUP_RUN_SCENARIO) return;
  const database = await db.database.findUnique({ where: { id: run.databaseId }, select: { name: true } });
  const status = storedRunStatus(run.status);
  const ref = { event: "backup_failed" as const, databaseId: run.databaseId, now };
  if (status === "failed")
    await raiseAlert({
      ...ref,
      link: `/restores/${run.id}`,
      message:
        run.steps[0]?.status === "succeeded"
          ? `The backup of ${database?.name ?? "a database"} was stored, but a copy to another location failed (nothing was kept there): ${run.verdict ?? "a step failed"} Fix the location, then resume the run.`
          : `The backup of ${database?.name ?? "a database"} failed and nothing was kept: ${run.verdict ?? "a step failed"} Fix the cause, then take a backup (Back up now) or wait for the next scheduled one.`,
    });
  if (status === "succeeded")
    await resolveAlert({
      ...ref,
      resolution: `A backup of ${database?.name ?? "the database"} succeeded: ${run.verdict ?? ""}`.trim(),
    });
}

export const VERIFY_AFTER_BACKUP_REQUESTER = "Lifeboat (after its backup run)";

/**
 * After a backup run succeeded, the backup and each copy are verified at once (the same streaming
 * check as Verify now: read back from the location, sha256 against the manifest, pg_restore or
 * gzip to the end), so the inventory's verified state and the checklist need no later sync.
 */
export async function verifyWhatRunWrote(runId: string): Promise<void> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { status: true, steps: { select: { status: true, result: true } } },
  });
  if (run?.status !== "succeeded") return;
  for (const step of run.steps) {
    if (step.status !== "succeeded" || !step.result) continue;
    const result = JSON.parse(step.result) as { backupId?: unknown };
    if (typeof result.backupId === "string") await verifyUnattended(result.backupId, VERIFY_AFTER_BACKUP_REQUESTER);
  }
}

export type StartBackupInput = {
  databaseId: string;
  label: BackupLabel;
  /** Default: the schedule's location, else the database's only location. */
  locationId?: string | null;
  format?: BackupRunFormat | null;
  copyLocationIds?: string[];
  trigger: BackupRunOptions["trigger"];
  requestedBy: string;
  scheduleId?: string;
  dueAt?: Date;
  lateByMs?: number;
  now?: Date;
};

/** The location a backup goes to when none is named: the schedule's, else the database's only one. */
export async function defaultBackupLocation(databaseId: string): Promise<string> {
  const schedule = await db.backupSchedule.findUnique({ where: { databaseId }, select: { locationId: true } });
  if (schedule) return schedule.locationId;
  const sources = await db.databaseSource.findMany({ where: { databaseId }, select: { locationId: true } });
  if (sources.length === 1) return sources[0]!.locationId;
  throw new UserError(
    sources.length === 0
      ? "This database has no location to back up to: add a schedule, or name a location."
      : "This database's backups live in several locations: name the one to back up to (or add a schedule, whose location is then the default).",
    409,
  );
}

/**
 * Plans and starts a backup run. Returns once it is queued (or refused: another run holds the
 * database); `done` resolves when this process stops executing it, after its alert is settled.
 */
export async function startBackupRun(
  input: StartBackupInput,
  actor: RunActor,
): Promise<{ runId: string; key: string; done: Promise<void> }> {
  const database = await db.database.findUnique({ where: { id: input.databaseId } });
  if (!database) throw new NotFoundError("The database");
  const locationId = input.locationId ?? (await defaultBackupLocation(database.id));
  const location = await loadLocation(locationId);
  if (!location) throw new NotFoundError("The location");
  const copies = [...new Set(input.copyLocationIds ?? [])].filter((id) => id !== locationId);
  const format = input.format ?? "custom";
  const options: BackupRunOptions = backupRunOptionsSchema.parse({
    label: input.label,
    format,
    locationId,
    copyLocationIds: copies,
    key: backupKeyFor({
      prefix: fullConfig(location).prefix ?? "",
      databaseName: database.name,
      label: input.label,
      format,
      at: input.now ?? new Date(),
    }),
    trigger: input.trigger,
    requestedBy: input.requestedBy,
    scheduleId: input.scheduleId,
    dueAt: input.dueAt?.toISOString(),
    lateByMs: input.lateByMs,
  });
  const plan = await buildBackupPlan(database.id, options);
  const { runId } = await createRun({
    plan,
    scenarioId: BACKUP_RUN_SCENARIO,
    databaseId: database.id,
    backupId: null,
    options,
    createdBy: actor,
  });
  const late =
    options.dueAt && (options.lateByMs ?? 0) > 0
      ? ` It was due at ${options.dueAt.slice(0, 16).replace("T", " ")} UTC and starts ${lateWords(options.lateByMs ?? 0)} late: the console was not running at the due time.`
      : "";
  const why =
    input.trigger === "schedule"
      ? `Started by the schedule (${BACKUP_LABEL_DISPLAY[input.label].label}).${late}`
      : input.trigger === "api"
        ? `Started through the API by the token "${input.requestedBy}", labelled ${input.label}.`
        : `Started by ${input.requestedBy} (Back up now), labelled ${input.label}.`;
  try {
    const { done } = await startWithoutConfirmation({ runId, actor, why, resolvePlan: resolveBackupPlan });
    const settled = done
      .then(() => reconcileBackupAlert(runId))
      .then(() => verifyWhatRunWrote(runId))
      .catch((e: unknown) => console.error(`[lifeboat] the alert of backup run ${runId} could not be settled:`, e));
    return { runId, key: options.key, done: settled };
  } catch (e) {
    // Refused (the database is busy): the run records why. A scheduled backup that could not
    // start is a missed backup (failed, alerted); one asked for by hand or through the API was
    // refused to its caller at once, so it is only cancelled.
    const verdict = `Not started: ${describeError(e)}`;
    await db.run.update({
      where: { id: runId },
      data: { status: input.trigger === "schedule" ? "failed" : "cancelled", verdict, finishedAt: new Date() },
    });
    await db.runStep.updateMany({ where: { runId }, data: { status: "skipped" } });
    await db.runLog.create({ data: { runId, stepIndex: null, at: new Date(), stream: "error", text: verdict } });
    if (input.trigger === "schedule") await reconcileBackupAlert(runId);
    throw e;
  }
}

export function lateWords(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}
