import "server-only";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { fullConfig } from "@/lib/locations/config";
import { createStorage } from "@/lib/storage/create-storage";
import { StorageError } from "@/lib/storage/provider";
import type { BackupFormat, Manifest } from "@/lib/backups/manifest";
import { readCheckedManifest, trustedManifest } from "@/lib/backups/manifest-trust";
import { verifyBackup } from "@/lib/backups/verify";
import { startBackupRun } from "@/lib/backups/backup-run";
import { formatBytes } from "@/lib/format/bytes";
import { maskSecret, type PgConnection } from "@/lib/postgres/connection";
import { dropDatabaseSql } from "@/lib/restores/database-admin";
import { psqlArgs } from "@/lib/postgres/commands";
import { quoteIdent, runPgTool, runPsqlQuery, tableRowCounts, type TableRowCount } from "@/lib/postgres/run";
import { inspectArchive, unsafeArchiveMessage } from "@/lib/restores/archive-inspect";
import { restoreArchive, restorePlain } from "@/lib/restores/restore-tools";
import { downloadOnePass, inspectionOf } from "@/lib/restores/one-pass";
import { jobsForFormat, restoreJobsFor } from "@/lib/restores/jobs";
import { psqlRestrictSupport } from "@/lib/postgres/run";
import { createRun, cancelRun, startWithoutConfirmation, type RunActor } from "@/lib/runner/runs";
import type { RunForPlan } from "@/lib/runner/execute";
import { storedRunStatus, type RunStatus } from "@/lib/runner/states";
import type { Plan, PlannedStep, StepContext } from "@/lib/runner/types";
import { parseStoredJson, storedState } from "@/lib/stored-json";
import { checkValidationQuery } from "@/lib/monthly-tests/query-safety";
import { testServerConflict, testServerConnection } from "@/lib/monthly-tests/plan";
import {
  findingsSchema,
  QUERY_COMPARATORS,
  type Finding,
  type QueryResult,
  type TableCount,
  type TestStatus,
} from "@/lib/monthly-tests/record-schemas";
import {
  isTestScratchName,
  MONTHLY_TEST_SCENARIO,
  MONTHLY_TEST_VERSION,
  monthlyTestOptionsSchema,
  scratchNameFor,
  testMonth,
  type MonthlyTestOptions,
} from "@/lib/monthly-tests/run-kind";
import { BACKUP_CHOICES, CREATION_MODES } from "@/lib/monthly-tests/plan-schema";

// A monthly test as a run of the runner (live log, timers, cancel), the guide's four steps:
//   1. creation   a fresh backup through a backup run, or a check that the newest scheduled
//                 backup is younger than the plan allows; then the backup to test is chosen.
//   2. integrity  the backup is downloaded once to a private file while the streaming
//                 verification reads the same bytes (sha256 against the signed manifest, the
//                 format read to the end); an archive's script is then scanned like a restore's.
//   3. restore    into a scratch database <prefix><yyyymmdd>_<id> on the plan's test server
//                 (never a production server: checked before the run and again here), row
//                 counts per table against the signed manifest, the validation queries
//                 (read-only transaction, statement timeout), the time against the RTO.
//   4. record     the BackupTest row gets every number, the scratch database is dropped (or kept
//                 for the plan's hours), and the verdict: passed, partial (warnings) or failed.
// Every step writes what it measured into the record as it goes, so a run that stops part-way
// still leaves a record; finishTestRecord completes it as failed with the reason.
//
// The run does not take the database (a restore of it must never wait for a test), and it is
// not resumed after a console restart: the record is closed as failed and the next test starts
// afresh.

const CANCEL = { id: "monthly-tests", email: "monthly tests" } satisfies RunActor;

/** The private folder a test downloads its backup into (one per record, known without the run). */
export function testWorkDir(testId: string): string {
  return path.join(os.tmpdir(), `lifeboat-test-${testId.replace(/[^A-Za-z0-9_-]/g, "")}`);
}

// --- the record ------------------------------------------------------------------------------

async function readFindings(testId: string): Promise<Finding[]> {
  const row = await db.backupTest.findUniqueOrThrow({ where: { id: testId }, select: { findings: true } });
  return parseStoredJson(row.findings, findingsSchema, "monthly test's findings (BackupTest.findings)");
}

async function addFindings(testId: string, more: Finding[]): Promise<void> {
  if (more.length === 0) return;
  const findings = [...(await readFindings(testId)), ...more];
  await db.backupTest.update({ where: { id: testId }, data: { findings: JSON.stringify(findings) } });
}

function statusOf(findings: Finding[]): Exclude<TestStatus, "running"> {
  if (findings.some((f) => f.severity === "error")) return "failed";
  if (findings.some((f) => f.severity === "warning")) return "partial";
  return "passed";
}

function words(e: unknown, conn?: PgConnection): string {
  const text = e instanceof UserError || e instanceof StorageError ? e.message : e instanceof Error ? e.message : "";
  const safe = conn ? maskSecret(text, conn) : text;
  return safe.trim().replace(/[.\s]+$/, "") || "an unexpected error (the details are in the server log)";
}

// --- step 1: creation ------------------------------------------------------------------------

export const creationResultSchema = z.object({
  backupId: z.string(),
  key: z.string(),
  location: z.string(),
  size: z.number(),
  format: z.string(),
  takenAt: z.string(),
});
type CreationResult = z.output<typeof creationResultSchema>;

type LoadedPlan = NonNullable<Awaited<ReturnType<typeof loadPlan>>>;
async function loadPlan(planId: string) {
  return db.testPlan.findUnique({
    where: { id: planId },
    include: { queries: { orderBy: { index: "asc" } }, database: true },
  });
}

async function chooseBackup(plan: LoadedPlan, now: Date) {
  const candidates = await db.backup.findMany({
    where: { databaseId: plan.databaseId, vanishedAt: null, verificationState: { not: "failed" } },
    orderBy: { takenAt: "desc" },
    include: { location: true },
    take: 500,
  });
  const choice = storedState(BACKUP_CHOICES, plan.backupChoice, "TestPlan.backupChoice");
  if (choice === "newest") return candidates[0] ?? null;
  if (choice === "newest_verified") return candidates.find((b) => b.verificationState === "verified") ?? null;
  const since = now.getTime() - plan.randomDays * 24 * 3600_000;
  const recent = candidates.filter((b) => b.takenAt.getTime() >= since);
  return recent.length === 0 ? null : recent[randomInt(recent.length)]!;
}

async function creationStep(ctx: StepContext, o: MonthlyTestOptions): Promise<CreationResult> {
  const plan = await loadPlan(o.planId);
  if (!plan) throw new UserError("The test plan was deleted while the test was starting.", 409);
  const now = new Date();
  const findings: Finding[] = [];
  const mode = storedState(CREATION_MODES, plan.creation, "TestPlan.creation");
  let fresh: string | null = null;
  if (mode === "fresh") {
    ctx.log(`Taking a fresh backup of ${plan.database.name} through a backup run.`);
    const started = await startBackupRun(
      {
        databaseId: plan.databaseId,
        label: "manual",
        trigger: "manual",
        requestedBy: `monthly test (${o.requestedBy})`,
      },
      { id: "monthly-test", email: `monthly test (${o.requestedBy})` },
    );
    ctx.log(`Backup run ${started.runId} writes ${started.key}; waiting for it (its own page shows its log).`);
    const onAbort = () => void cancelRun({ runId: started.runId, actor: CANCEL }).catch(() => undefined);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await started.done;
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
    const run = await db.run.findUniqueOrThrow({
      where: { id: started.runId },
      select: { status: true, verdict: true, backupId: true },
    });
    if (run.status !== ("succeeded" satisfies RunStatus) || !run.backupId)
      throw new UserError(
        `The fresh backup failed (backup run ${started.runId}): ${run.verdict ?? "it did not finish"}. Fix the backup, then run the test again.`,
        502,
      );
    fresh = run.backupId;
    findings.push({
      step: "creation",
      severity: "info",
      text: `A fresh backup was taken for this test by backup run ${started.runId}.`,
    });
  } else {
    const newest = await db.backup.findFirst({
      where: { databaseId: plan.databaseId, vanishedAt: null, kind: "scheduled" },
      orderBy: { takenAt: "desc" },
      select: { key: true, takenAt: true },
    });
    const limitMs = plan.creationMaxAgeHours * 3600_000;
    if (!newest) {
      findings.push({
        step: "creation",
        severity: "error",
        text: `No scheduled backup of ${plan.database.name} was found: the backup job is not running, or its backups are not catalogued. Check the schedule and the location's sync.`,
      });
    } else {
      const ageH = (now.getTime() - newest.takenAt.getTime()) / 3600_000;
      const line = `The newest scheduled backup ${newest.key} was taken ${newest.takenAt.toISOString().slice(0, 16).replace("T", " ")} UTC, ${ageH.toFixed(1)} h ago (the plan allows ${plan.creationMaxAgeHours} h).`;
      findings.push(
        now.getTime() - newest.takenAt.getTime() <= limitMs
          ? { step: "creation", severity: "info", text: line }
          : {
              step: "creation",
              severity: "error",
              text: `${line} It is late: the scheduled backup did not run on time. Check the schedule and its last run.`,
            },
      );
    }
    for (const f of findings) ctx.log(f.text, f.severity === "error" ? "error" : "info");
  }

  const backup = fresh
    ? await db.backup.findUnique({ where: { id: fresh }, include: { location: true } })
    : await chooseBackup(plan, now);
  if (!backup) {
    await addFindings(o.testId, findings);
    throw new UserError(
      plan.backupChoice === "newest_verified"
        ? `${plan.database.name} has no verified backup to test: verify one (Backups → Verify now) or let the plan test the newest backup.`
        : plan.backupChoice === "random_recent"
          ? `${plan.database.name} has no backup from the last ${plan.randomDays} days to test: check its backups, or widen the plan's window.`
          : `${plan.database.name} has no backup to test: take one (Back up now) or check the location's sync.`,
      409,
    );
  }
  const checked = readCheckedManifest(backup.manifest);
  await db.backupTest.update({
    where: { id: o.testId },
    data: {
      backupId: backup.id,
      backupKey: backup.key,
      backupLocation: backup.location.name,
      backupSizeBytes: backup.size,
      backupCreatedAt: backup.takenAt,
      backupSha256: checked?.trust.trusted ? checked.manifest.sha256 : null,
    },
  });
  await db.run.update({ where: { id: ctx.runId }, data: { backupId: backup.id } });
  const ageH = (now.getTime() - backup.takenAt.getTime()) / 3600_000;
  findings.push({
    step: "creation",
    severity: "info",
    text: `Testing ${backup.key} in ${backup.location.name} (${formatBytes(Number(backup.size))}, taken ${ageH.toFixed(1)} h ago${backup.verificationState === "verified" ? ", verified" : ""}).`,
  });
  await addFindings(o.testId, findings);
  ctx.log(findings[findings.length - 1]!.text);
  return {
    backupId: backup.id,
    key: backup.key,
    location: backup.location.name,
    size: Number(backup.size),
    format: backup.format,
    takenAt: backup.takenAt.toISOString(),
  };
}

// --- step 2: integrity -----------------------------------------------------------------------

export const integrityResultSchema = z.object({
  file: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  downloadMs: z.number(),
  summary: z.string(),
});
type IntegrityResult = z.output<typeof integrityResultSchema>;

async function loadBackup(backupId: string) {
  const backup = await db.backup.findUnique({ where: { id: backupId }, include: { location: true } });
  if (!backup) throw new UserError("The backup being tested was removed from the catalog during the test.", 409);
  const checked = readCheckedManifest(backup.manifest);
  return { backup, checked, manifest: trustedManifest(checked) };
}

const SCRATCH_NAME = /^[a-z_][a-z0-9_]*\d{8}_[a-z0-9]{8}$/;

/**
 * Creates the empty scratch database on the test server (dropping a leftover of the same name
 * first), after checking again that the test server is no production server: a database may
 * have become production since the plan was saved.
 */
async function createScratch(o: MonthlyTestOptions, plan: LoadedPlan, signal: AbortSignal): Promise<void> {
  const conflict = await testServerConflict(plan.databaseId, plan);
  if (conflict) throw new UserError(`${conflict} Nothing was restored.`, 409);
  if (!isTestScratchName(plan.scratchPrefix, o.scratch) && !SCRATCH_NAME.test(o.scratch))
    throw new Error(`${o.scratch} is not a monthly test's scratch name`);
  const server = testServerConnection(plan);
  await db.backupTest.update({ where: { id: o.testId }, data: { scratchDatabase: o.scratch } });
  const argv = psqlArgs({
    database: server.database,
    command: [dropDatabaseSql(o.scratch), `CREATE DATABASE ${quoteIdent(o.scratch)} TEMPLATE template0`],
    onErrorStop: true,
  });
  await runPgTool("psql", server, argv, { signal });
}

async function integrityStep(ctx: StepContext, o: MonthlyTestOptions): Promise<IntegrityResult> {
  const made = creationResultSchema.parse(ctx.results.creation);
  const { backup, checked, manifest } = await loadBackup(made.backupId);
  const plan = await loadPlan(o.planId);
  if (!plan) throw new UserError("The test plan was deleted during the test.", 409);
  const conflict = await testServerConflict(plan.databaseId, plan);
  if (conflict) throw new UserError(`${conflict} Nothing was restored.`, 409);
  // The empty scratch database is made on the test server while the backup downloads.
  const scratchReady = createScratch(o, plan, ctx.signal).then(
    () => null,
    (e: unknown) => e,
  );
  const format = backup.format as BackupFormat;
  const storage = createStorage(fullConfig(backup.location));
  const dir = testWorkDir(o.testId);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "backup");
  ctx.log(
    `Downloading ${backup.key} from ${backup.location.name} to a private file; the same pass checks the bytes: sha256${manifest ? " against the signed manifest" : ""}, the ${format} format read to the end${format === "custom" ? ", and the archive's script scanned for statements that could run programs on the test server" : ""}.`,
  );
  let source: Awaited<ReturnType<typeof storage.read>>;
  try {
    source = await storage.read(backup.key);
  } catch (e) {
    throw new UserError(`The backup could not be read from ${backup.location.name}: ${words(e)}.`, 502);
  }
  // The restore's one-pass download: file, sha256, verification and (custom) the script's scan.
  const pass = await downloadOnePass(source, file, {
    format,
    size: Number(backup.size),
    manifest: checked?.manifest ?? null,
    onProgress: (bytes) => ctx.progress(bytes, Number(backup.size)),
    signal: ctx.signal,
  }).catch((e: unknown) => {
    throw new UserError(`The backup's download from ${backup.location.name} failed: ${words(e)}.`, 502);
  });
  const downloadMs = pass.durationMs;
  const scratchError = await scratchReady;
  // What the pass could not check, the file is read for (the same streaming verification).
  const result =
    pass.verification ??
    (await verifyBackup({
      open: async () => fs.createReadStream(file),
      size: Number(backup.size),
      format,
      manifest: checked?.manifest ?? null,
      onProgress: (done, total) => ctx.progress(done, total),
      signal: ctx.signal,
    }));
  for (const c of result.checks) ctx.log(`${c.ok ? "ok" : "FAILED"} — ${c.name}: ${c.detail}`, c.ok ? "info" : "error");
  await db.backupTest.update({
    where: { id: o.testId },
    data: { backupSha256: result.sha256, backupSizeBytes: BigInt(result.bytes) },
  });
  if (!result.ok) {
    const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    throw new UserError(`The backup failed its integrity check and cannot be restored: ${failed.join("; ")}.`, 422);
  }
  const findings: Finding[] = [{ step: "integrity", severity: "info", text: result.summary }];
  if (checked && !checked.trust.trusted)
    findings.push({
      step: "integrity",
      severity: "warning",
      text: `The manifest beside the backup is not trusted (${checked.trust.note}): row counts are recorded without a manifest to compare with.`,
    });
  else if (!checked)
    findings.push({
      step: "integrity",
      severity: "warning",
      text: "The backup has no manifest: its sha256 and row counts cannot be compared with what was backed up.",
    });
  if (scratchError)
    throw new UserError(
      `The scratch database ${o.scratch} could not be created on the test server ${plan.testHost}:${plan.testPort}: ${words(scratchError, testServerConnection(plan))}. Check the plan's test server and its user's CREATEDB right.`,
      502,
    );
  ctx.log(`Created the empty scratch database ${o.scratch} on the test server ${plan.testHost}:${plan.testPort}.`);
  if (format === "custom" || format === "tar") {
    const inspected = (await inspectionOf(file, pass.sha256)) ?? (await inspectArchive(file, {}, ctx.signal));
    if (inspected.findingCount > 0) {
      for (const f of inspected.findings) ctx.log(`script line ${f.line}: ${f.text} — ${f.reason}`, "error");
      throw new UserError(unsafeArchiveMessage(inspected.findings, inspected.findingCount), 422);
    }
    ctx.log(
      `The archive's script holds nothing that runs programs or touches files on the test server (${inspected.statements.toLocaleString("en-US")} statements).`,
    );
  }
  await addFindings(o.testId, findings);
  ctx.log(`${result.summary} Downloaded and verified in ${(downloadMs / 1000).toFixed(1)} s.`);
  return { file, bytes: result.bytes, sha256: result.sha256, downloadMs, summary: result.summary };
}

// --- step 3: restore, counts, queries ----------------------------------------------------------

export const restoreResultSchema = z.object({
  scratch: z.string(),
  restoreMs: z.number(),
  tables: z.number(),
  queries: z.number(),
});

const tableKey = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** Per table: the manifest's count (null without a trusted manifest) and the restored one. */
export function compareCounts(restored: TableRowCount[], manifest: Manifest | null): TableCount[] {
  const want = new Map((manifest?.tables ?? []).map((t) => [tableKey(t), t.rows]));
  const rows: TableCount[] = restored.map((t) => {
    const expected = manifest ? (want.get(tableKey(t)) ?? null) : null;
    return {
      schema: t.schema,
      table: t.name,
      manifest: expected,
      restored: t.rows,
      ok: manifest ? expected === t.rows : true,
    };
  });
  const have = new Set(restored.map(tableKey));
  for (const t of manifest?.tables ?? [])
    if (!have.has(tableKey(t)))
      rows.push({ schema: t.schema, table: t.name, manifest: t.rows, restored: 0, ok: false });
  return rows;
}

function manifestCount(manifest: Manifest | null, table: string): number | null {
  if (!manifest) return null;
  const [a, b] = table.split(".");
  const found =
    b === undefined
      ? (manifest.tables.find((t) => t.schema === "public" && t.name === a) ??
        manifest.tables.find((t) => t.name === a))
      : manifest.tables.find((t) => t.schema === a && t.name === b);
  return found ? found.rows : null;
}

/** Whether `actual` meets the expectation. Numbers compare as numbers; eq also compares text. */
export function meets(comparator: (typeof QUERY_COMPARATORS)[number], actual: string | null, expected: string | null) {
  if (actual === null || expected === null) return false;
  const a = Number(actual);
  const e = Number(expected);
  const numeric = actual.trim() !== "" && expected.trim() !== "" && Number.isFinite(a) && Number.isFinite(e);
  switch (comparator) {
    case "gte":
      return numeric && a >= e;
    case "lte":
      return numeric && a <= e;
    case "eq":
    case "eq_manifest":
      return numeric ? a === e : actual === expected;
  }
}

type QueryRow = {
  name: string;
  sql: string;
  comparator: string;
  expected: string | null;
  manifestTable: string | null;
};

/** Runs one validation query read-only with the plan's timeout; never throws. */
export async function runValidationQuery(
  conn: PgConnection,
  q: QueryRow,
  manifest: Manifest | null,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<QueryResult> {
  const comparator = (QUERY_COMPARATORS as readonly string[]).includes(q.comparator)
    ? (q.comparator as (typeof QUERY_COMPARATORS)[number])
    : "eq";
  const expected =
    comparator === "eq_manifest"
      ? ((n) => (n === null ? null : String(n)))(manifestCount(manifest, q.manifestTable ?? ""))
      : q.expected;
  const base = { name: q.name, sql: q.sql, comparator, expected };
  const check = checkValidationQuery(q.sql);
  if (!check.ok) return { ...base, actual: null, ok: false, error: `Not run: ${check.problem}`, ms: 0 };
  if (comparator === "eq_manifest" && expected === null)
    return {
      ...base,
      actual: null,
      ok: false,
      error: manifest
        ? `Not run: the manifest has no table ${q.manifestTable ?? "(none named)"}.`
        : "Not run: the backup has no trusted manifest to compare with.",
      ms: 0,
    };
  const started = performance.now();
  try {
    const rows = await runPsqlQuery(conn, check.sql, {
      readOnlyTimeoutMs: timeoutSeconds * 1000,
      timeoutMs: timeoutSeconds * 1000 + 15_000,
      signal,
    });
    const actual = rows[0]?.[0] ?? null;
    return {
      ...base,
      actual,
      ok: meets(comparator, actual, expected),
      error: null,
      ms: Math.round(performance.now() - started),
    };
  } catch (e) {
    const text = words(e, conn);
    const error = /statement timeout|canceling statement/i.test(text)
      ? `Stopped after the plan's ${timeoutSeconds} s timeout.`
      : /read-only transaction/i.test(text)
        ? `Refused: the query tried to write (${text}).`
        : text;
    return { ...base, actual: null, ok: false, error, ms: Math.round(performance.now() - started) };
  }
}

async function restoreStep(ctx: StepContext, o: MonthlyTestOptions): Promise<z.output<typeof restoreResultSchema>> {
  const made = creationResultSchema.parse(ctx.results.creation);
  const got = integrityResultSchema.parse(ctx.results.integrity);
  const plan = await loadPlan(o.planId);
  if (!plan) throw new UserError("The test plan was deleted during the test.", 409);
  // Again here: the database (or another one) may have become production since the plan was saved.
  const conflict = await testServerConflict(plan.databaseId, plan);
  if (conflict) throw new UserError(`${conflict} Nothing was restored.`, 409);
  const { manifest } = await loadBackup(made.backupId);
  const scratchConn = testServerConnection(plan, o.scratch);
  const opts = { signal: ctx.signal };
  const findings: Finding[] = [];

  const t0 = performance.now();
  const format = made.format as BackupFormat;
  if (format === "custom" || format === "tar") {
    const r = await restoreArchive(
      {
        conn: scratchConn,
        file: got.file,
        // As a restore of this database would run: the database's setting, else the console's cores.
        jobs: jobsForFormat(format, restoreJobsFor(plan.database.restoreJobs)),
        tables: manifest?.tables.length ?? null,
      },
      ctx.log,
      ctx.progress,
      ctx.signal,
    );
    ctx.log(`pg_restore finished in ${(r.durationMs / 1000).toFixed(1)} s (${r.tablesWithData} tables with data).`);
  } else if (format === "plain" || format === "plain_gzip") {
    const support = await psqlRestrictSupport();
    if (!support.supported)
      throw new UserError(
        `plain SQL is restored only in psql's restricted mode, and psql ${support.psqlVersion} here has no \\restrict: install PostgreSQL client tools 17.6/16.10/15.14 or newer on the console's server`,
        422,
      );
    const r = await restorePlain(
      { conn: scratchConn, file: got.file, format, restricted: true },
      ctx.log,
      ctx.progress,
      ctx.signal,
    );
    ctx.log(
      `psql finished in ${(r.durationMs / 1000).toFixed(1)} s (${r.statements.toLocaleString("en-US")} statements).`,
    );
  } else {
    throw new UserError(`A backup of format ${format} cannot be restored: set its format in the catalog.`, 422);
  }
  const restoreOnlyMs = Math.round(performance.now() - t0);
  const restoreMs = got.downloadMs + restoreOnlyMs;
  fs.rmSync(path.dirname(got.file), { recursive: true, force: true });

  // The counts and the validation queries read the restored copy side by side (separate sessions).
  const running = (async () => {
    const out: QueryResult[] = [];
    for (const q of plan.queries) {
      ctx.signal.throwIfAborted();
      out.push(await runValidationQuery(scratchConn, q, manifest, plan.queryTimeoutSeconds, ctx.signal));
    }
    return out;
  })();
  const counted = await tableRowCounts(scratchConn, opts).catch(async (e: unknown) => {
    await running.catch(() => undefined);
    throw e;
  });
  const tableCounts = compareCounts(counted, manifest);
  const bad = tableCounts.filter((t) => !t.ok);
  for (const t of tableCounts)
    ctx.log(
      `${t.schema}.${t.table}: ${t.restored.toLocaleString("en-US")} rows${t.manifest === null ? "" : t.ok ? " (as the manifest)" : `, the manifest ${t.manifest.toLocaleString("en-US")}`}`,
      t.ok ? "info" : "error",
    );
  if (counted.length === 0)
    findings.push({
      step: "restore",
      severity: "error",
      text: "The restore produced no tables: the backup restored nothing.",
    });
  if (!manifest)
    findings.push({
      step: "restore",
      severity: "warning",
      text: `Row counts of ${counted.length} tables recorded; without a trusted manifest they could not be compared with the backup.`,
    });
  else if (bad.length === 0)
    findings.push({
      step: "restore",
      severity: "info",
      text: `All ${tableCounts.length} tables have the manifest's row counts (${counted.reduce((n, t) => n + t.rows, 0).toLocaleString("en-US")} rows).`,
    });
  for (const t of bad)
    findings.push({
      step: "restore",
      severity: "error",
      text:
        t.manifest === null
          ? `${t.schema}.${t.table} (${t.restored.toLocaleString("en-US")} rows) is not in the manifest.`
          : t.restored === 0 && !counted.some((c) => c.schema === t.schema && c.name === t.table)
            ? `${t.schema}.${t.table} is missing after the restore (the manifest has ${t.manifest.toLocaleString("en-US")} rows).`
            : `${t.schema}.${t.table} has ${t.restored.toLocaleString("en-US")} rows, the manifest ${t.manifest.toLocaleString("en-US")}.`,
    });

  const queryResults = await running;
  for (const r of queryResults) {
    const expectation = `${r.comparator === "gte" ? "≥" : r.comparator === "lte" ? "≤" : "="} ${r.expected ?? "?"}`;
    ctx.log(
      `query "${r.name}": ${r.error ? r.error : `${r.actual ?? "NULL"} (expected ${expectation})`} — ${r.ok ? "ok" : "FAILED"}`,
      r.ok ? "info" : "error",
    );
    if (!r.ok)
      findings.push({
        step: "restore",
        severity: "error",
        text: r.error
          ? `The validation query "${r.name}" failed: ${r.error}`
          : `The validation query "${r.name}" returned ${r.actual ?? "NULL"}, expected ${expectation}.`,
      });
  }
  if (plan.queries.length > 0 && queryResults.every((r) => r.ok))
    findings.push({
      step: "restore",
      severity: "info",
      text: `All ${queryResults.length} validation queries met their expectations.`,
    });

  const rtoMs = plan.database.rtoCorruptionMinutes * 60_000;
  const restoreWords = `Download, verification and restore took ${(restoreMs / 1000).toFixed(1)} s (restore alone ${(restoreOnlyMs / 1000).toFixed(1)} s)`;
  findings.push(
    restoreMs <= rtoMs
      ? {
          step: "restore",
          severity: "info",
          text: `${restoreWords}, within the RTO of ${plan.database.rtoCorruptionMinutes} min.`,
        }
      : {
          step: "restore",
          severity: "warning",
          text: `${restoreWords}, over the RTO of ${plan.database.rtoCorruptionMinutes} min: a restore of this backup would not meet the RTO.`,
        },
  );
  await db.backupTest.update({
    where: { id: o.testId },
    data: {
      restoreMs,
      tableCounts: JSON.stringify(tableCounts),
      queryResults: JSON.stringify(queryResults),
    },
  });
  await addFindings(o.testId, findings);
  return { scratch: o.scratch, restoreMs, tables: tableCounts.length, queries: queryResults.length };
}

// --- step 4: the record ---------------------------------------------------------------------

/** Drops the scratch database, or keeps it for the plan's hours. Never throws: a failure is a finding. */
async function settleScratch(testId: string, keepHours: number, now: Date): Promise<Finding | null> {
  const test = await db.backupTest.findUniqueOrThrow({
    where: { id: testId },
    select: { scratchDatabase: true, scratchDroppedAt: true, databaseId: true },
  });
  if (!test.scratchDatabase || test.scratchDroppedAt) return null;
  if (keepHours > 0) {
    const until = new Date(now.getTime() + keepHours * 3600_000);
    await db.backupTest.update({ where: { id: testId }, data: { scratchKeepUntil: until } });
    return {
      step: "record",
      severity: "info",
      text: `The scratch database ${test.scratchDatabase} is kept until ${until.toISOString().slice(0, 16).replace("T", " ")} UTC, then dropped.`,
    };
  }
  return dropTestScratch(testId);
}

/** Drops a test's scratch database on its plan's test server; says what happened. */
export async function dropTestScratch(testId: string): Promise<Finding> {
  const test = await db.backupTest.findUniqueOrThrow({
    where: { id: testId },
    select: { scratchDatabase: true, databaseId: true },
  });
  const name = test.scratchDatabase;
  const plan = await db.testPlan.findUnique({ where: { databaseId: test.databaseId } });
  if (!name || !SCRATCH_NAME.test(name))
    return {
      step: "record",
      severity: "warning",
      text: `${name ?? "(no name)"} is not a scratch name a monthly test makes, so it was not dropped.`,
    };
  if (!plan)
    return {
      step: "record",
      severity: "warning",
      text: `The test plan is gone, so ${name} could not be dropped: drop it by hand on the test server.`,
    };
  try {
    const server = testServerConnection(plan);
    await runPsqlQuery(server, dropDatabaseSql(name));
    await db.backupTest.update({ where: { id: testId }, data: { scratchDroppedAt: new Date() } });
    return { step: "record", severity: "info", text: `The scratch database ${name} was dropped.` };
  } catch (e) {
    return {
      step: "record",
      severity: "warning",
      text: `The scratch database ${name} could not be dropped (${words(e)}): the next sweep tries again, or drop it by hand on ${plan.testHost}:${plan.testPort}.`,
    };
  }
}

async function recordStep(ctx: StepContext, o: MonthlyTestOptions): Promise<{ status: string; verdict: string }> {
  const plan = await loadPlan(o.planId);
  const now = new Date();
  const scratch = await settleScratch(o.testId, plan?.keepScratchHours ?? 0, now);
  if (scratch) {
    await addFindings(o.testId, [scratch]);
    ctx.log(scratch.text, scratch.severity === "info" ? "info" : "error");
  }
  const findings = await readFindings(o.testId);
  const status = statusOf(findings);
  await db.backupTest.update({ where: { id: o.testId }, data: { status, finishedAt: now } });
  const problems = findings.filter((f) => f.severity !== "info").map((f) => f.text);
  const verdict =
    status === "passed"
      ? "The monthly test passed: the backup restored, every count and query matched, within the RTO."
      : `The monthly test ${status === "failed" ? "failed" : "passed with warnings"}: ${problems.join(" ")}`;
  ctx.log(verdict, status === "passed" ? "info" : "error");
  if (status === "failed") throw new UserError(verdict, 422);
  return { status, verdict };
}

// --- the plan and the start -------------------------------------------------------------------

export function buildMonthlyTestPlan(
  o: MonthlyTestOptions,
  facts: { databaseName: string; testServer: string; creation: string; queries: number; rtoMinutes: number },
): Plan {
  const steps: PlannedStep[] = [
    {
      key: "creation",
      title: facts.creation === "fresh" ? "Creation: take a fresh backup" : "Creation: check the scheduled backup",
      kind: "automatic",
      command: null,
      description:
        facts.creation === "fresh"
          ? `Takes a fresh backup of ${facts.databaseName} through a backup run (its own run page shows it), and tests that backup.`
          : `Checks that the newest scheduled backup of ${facts.databaseName} was made within the plan's hours, then chooses the backup to test as the plan says.`,
      run: (ctx) => creationStep(ctx, o),
    },
    {
      key: "integrity",
      title: "Integrity: download and verify",
      kind: "automatic",
      command: null,
      description:
        "Downloads the backup once to a private file while the streaming verification reads the same bytes: size and sha256 against the signed manifest, the format read to the end. A damaged backup fails the test here.",
      run: (ctx) => integrityStep(ctx, o),
    },
    {
      key: "restore",
      title: "Restore into a scratch database and check it",
      kind: "automatic",
      command: null,
      description: `Restores into ${o.scratch} on the test server ${facts.testServer}, counts every table's rows against the manifest, runs ${facts.queries} validation quer${facts.queries === 1 ? "y" : "ies"} read-only with a timeout, and compares the time with the RTO of ${facts.rtoMinutes} min.`,
      run: (ctx) => restoreStep(ctx, o),
    },
    {
      key: "record",
      title: "Record the result",
      kind: "automatic",
      command: null,
      description:
        "Drops the scratch database (or keeps it for the plan's hours) and writes the test's record: passed, passed with warnings, or failed with the reasons.",
      run: (ctx) => recordStep(ctx, o),
    },
  ];
  return {
    scenarioId: MONTHLY_TEST_SCENARIO,
    scenarioVersion: MONTHLY_TEST_VERSION,
    steps,
    summary: {
      monthlyTest: {
        testId: o.testId,
        testServer: facts.testServer,
        testScratchDatabase: o.scratch,
        creation: facts.creation,
        queries: facts.queries,
      },
      trigger: o.trigger,
      requestedBy: o.requestedBy,
      ...(o.dueAt ? { dueAt: o.dueAt } : {}),
    },
  };
}

async function planFacts(o: MonthlyTestOptions) {
  const plan = await loadPlan(o.planId);
  if (!plan) throw new UserError("This monthly test's plan was deleted.", 409);
  return {
    databaseName: plan.database.name,
    testServer: `${plan.testHost}:${plan.testPort}`,
    creation: plan.creation,
    queries: plan.queries.length,
    rtoMinutes: plan.database.rtoCorruptionMinutes,
  };
}

/** The runner's resolvePlan for monthly test runs. */
export async function resolveMonthlyTestPlan(run: RunForPlan): Promise<Plan> {
  const parsed = monthlyTestOptionsSchema.safeParse(run.options);
  if (!parsed.success)
    throw new UserError("This monthly test's stored options are damaged, so it cannot run: start a new test.", 409);
  return buildMonthlyTestPlan(parsed.data, await planFacts(parsed.data));
}

export type StartTestInput = {
  databaseId: string;
  trigger: MonthlyTestOptions["trigger"];
  requestedBy: string;
  dueAt?: Date;
  now?: Date;
};

/**
 * Starts a database's monthly test. Refuses before anything runs when there is no plan or the
 * test server is a production server (or the database's own). Returns once it is queued;
 * `done` resolves when this process stops executing it and the record is complete.
 */
export async function startMonthlyTest(
  input: StartTestInput,
  actor: RunActor,
): Promise<{ runId: string; testId: string; done: Promise<void> }> {
  const plan = await db.testPlan.findUnique({
    where: { databaseId: input.databaseId },
    include: { database: true, queries: true },
  });
  if (!plan) {
    const exists = await db.database.findUnique({ where: { id: input.databaseId }, select: { id: true } });
    if (!exists) throw new NotFoundError("The database");
    throw new UserError(
      "This database has no test plan yet: add one under Monthly tests → Plans, then run the test.",
      409,
    );
  }
  const conflict = await testServerConflict(plan.databaseId, plan);
  if (conflict) throw new UserError(`${conflict} The test was not started.`, 409);
  const running = await db.backupTest.findFirst({
    where: { databaseId: plan.databaseId, status: "running" },
    select: { runId: true },
  });
  if (running)
    throw new UserError(
      `A monthly test of ${plan.database.name} is already running (run ${running.runId ?? "starting"}): wait for it to finish.`,
      409,
    );
  const now = input.now ?? new Date();
  const scratch = scratchNameFor(plan.scratchPrefix, now, randomBytes(6).toString("hex").slice(0, 8));
  const test = await db.backupTest.create({
    data: {
      databaseId: plan.databaseId,
      month: testMonth(now),
      status: "running",
      startedAt: now,
      rtoMinutes: plan.database.rtoCorruptionMinutes,
      createdBy: input.requestedBy,
    },
    select: { id: true },
  });
  const options: MonthlyTestOptions = monthlyTestOptionsSchema.parse({
    testId: test.id,
    planId: plan.id,
    scratch,
    trigger: input.trigger,
    requestedBy: input.requestedBy,
    dueAt: input.dueAt?.toISOString(),
  });
  const built = buildMonthlyTestPlan(options, await planFacts(options));
  const { runId } = await createRun({
    plan: built,
    scenarioId: MONTHLY_TEST_SCENARIO,
    databaseId: plan.databaseId,
    backupId: null,
    options,
    createdBy: actor,
  });
  await db.backupTest.update({ where: { id: test.id }, data: { runId } });
  const why =
    input.trigger === "schedule"
      ? `Monthly test of ${plan.database.name} started by its plan's schedule${input.dueAt ? ` (due ${input.dueAt.toISOString().slice(0, 16).replace("T", " ")} UTC)` : ""}.`
      : `Monthly test of ${plan.database.name} started by ${input.requestedBy} (Run test now).`;
  try {
    const { done } = await startWithoutConfirmation({
      runId,
      actor,
      why,
      resolvePlan: resolveMonthlyTestPlan,
      takesDatabase: false,
    });
    const settled = done
      .then(() => finishTestRecord(runId))
      .catch((e: unknown) =>
        console.error(`[lifeboat] the record of monthly test run ${runId} could not be completed:`, e),
      );
    return { runId, testId: test.id, done: settled };
  } catch (e) {
    await db.backupTest.update({
      where: { id: test.id },
      data: {
        status: "failed",
        finishedAt: new Date(),
        findings: JSON.stringify([
          { step: "creation", severity: "error", text: `Not started: ${words(e)}.` },
        ] satisfies Finding[]),
      },
    });
    throw e;
  }
}

const STEP_OF: Record<string, Finding["step"]> = {
  creation: "creation",
  integrity: "integrity",
  restore: "restore",
  record: "record",
};

/**
 * Completes the record of a run that ended without its record step (a failure, a cancel, a
 * console stopped part-way): failed, with the reason; the scratch database and the download are
 * removed (or the scratch kept for the plan's hours). Safe to call again.
 */
export async function finishTestRecord(runId: string): Promise<void> {
  const test = await db.backupTest.findUnique({ where: { runId } });
  if (!test || test.status !== "running") return;
  const run = await db.run.findUnique({
    where: { id: runId },
    select: {
      status: true,
      verdict: true,
      steps: { orderBy: { index: "asc" }, select: { key: true, status: true, error: true } },
    },
  });
  if (!run) return;
  const status = storedRunStatus(run.status);
  if (status === "interrupted") await cancelRun({ runId, actor: CANCEL }).catch(() => undefined);
  else if (!["failed", "cancelled", "succeeded"].includes(status)) return;
  const failedStep = run.steps.find((s) => s.status === "failed" || s.status === "interrupted");
  const reason =
    status === "cancelled"
      ? (run.verdict ?? "The test was cancelled before it finished.")
      : status === "interrupted"
        ? "The console stopped during the test; it is not resumed. Run the test again."
        : (failedStep?.error ?? run.verdict ?? "A step failed.");
  fs.rmSync(testWorkDir(test.id), { recursive: true, force: true });
  const plan = await db.testPlan.findUnique({
    where: { databaseId: test.databaseId },
    select: { keepScratchHours: true },
  });
  const findings: Finding[] = [{ step: STEP_OF[failedStep?.key ?? ""] ?? "record", severity: "error", text: reason }];
  const scratch = await settleScratch(test.id, plan?.keepScratchHours ?? 0, new Date());
  if (scratch) findings.push(scratch);
  await addFindings(test.id, findings);
  await db.backupTest.updateMany({
    where: { id: test.id, status: "running" },
    data: { status: "failed", finishedAt: new Date() },
  });
}
