import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { manualBackupLabelSchema } from "@/lib/backups/labels";
import { backupRunFormatSchema } from "@/lib/backups/backup-run-kind";
import { backupStepResultSchema, startBackupRun } from "@/lib/backups/backup-run";
import { parseStoredJson } from "@/lib/stored-json";
import { acceptPipelineRequest, jsonResponse } from "@/lib/api-tokens/pipeline-request";

// POST /api/v1/databases/{name}/backups: a pipeline (e.g. before a schema migration) takes a
// labelled backup with an admin-issued token, and can wait for its result. Not a session route:
// the token is the credential. A missing, wrong or revoked token gets 401 and an out-of-scope
// database 403, both before anything is looked up or started. Every call is audited.

export const pipelineBackupBodySchema = z.object({
  label: manualBackupLabelSchema.default("pre-migration"),
  wait: z.boolean().default(false),
  timeoutSeconds: z.number().int().min(1).max(3600).default(600),
  /** A location's name; default: the schedule's location, else the database's only location. */
  location: z.string().min(1).max(200).optional(),
  format: backupRunFormatSchema.optional(),
});

function sleep(ms: number): Promise<"timeout"> {
  return new Promise((resolve) => setTimeout(() => resolve("timeout"), ms).unref());
}

export async function pipelineBackupResponse(req: Request, databaseName: string): Promise<Response> {
  const accepted = await acceptPipelineRequest(req, databaseName, {
    action: "api.backup",
    verb: "back up",
    body: pipelineBackupBodySchema,
    example: '{"label": "pre-migration", "wait": true, "timeoutSeconds": 600}',
  });
  if (!accepted.ok) return accepted.response;
  const { token, database, body, audit } = accepted;

  let locationId: string | null = null;
  if (body.location) {
    const location = await db.location.findUnique({ where: { name: body.location }, select: { id: true } });
    if (!location) {
      await audit("refused: no such location", { databaseId: database.id });
      return jsonResponse(400, { error: `No location is named "${body.location}" (Settings → Locations).` });
    }
    locationId = location.id;
  }

  let started: Awaited<ReturnType<typeof startBackupRun>>;
  try {
    started = await startBackupRun(
      {
        databaseId: database.id,
        label: body.label,
        locationId,
        format: body.format ?? null,
        trigger: "api",
        requestedBy: token.name,
      },
      { id: `api-token:${token.id}`, email: `api-token:${token.name}` },
    );
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    await audit("refused: could not start", { databaseId: database.id, reason: e.message });
    return jsonResponse(e.status === 404 ? 404 : 409, { error: e.message });
  }
  await audit("started", { databaseId: database.id, runId: started.runId, label: body.label });

  const runUrl = `/restores/${started.runId}`;
  if (!body.wait)
    return jsonResponse(202, { runId: started.runId, status: "queued", key: started.key, label: body.label, runUrl });

  const waited = await Promise.race([started.done.then(() => "done" as const), sleep(body.timeoutSeconds * 1000)]);
  const run = await db.run.findUniqueOrThrow({
    where: { id: started.runId },
    select: { status: true, verdict: true, steps: { where: { key: "backup" }, select: { result: true } } },
  });
  if (waited === "timeout" || run.status !== "succeeded") {
    const failed = run.status === "failed" || run.status === "cancelled";
    return jsonResponse(failed ? 502 : 202, {
      runId: started.runId,
      status: run.status,
      key: started.key,
      label: body.label,
      runUrl,
      ...(failed
        ? { error: run.verdict ?? "The backup failed." }
        : { message: `Still ${run.status} after ${body.timeoutSeconds} s; follow it at ${runUrl}.` }),
    });
  }
  const result = parseStoredJson(run.steps[0]?.result ?? "{}", backupStepResultSchema.partial(), "backup step result");
  // Verified right after the run (read back from the location, sha256 against the manifest).
  const catalogued = result.backupId
    ? await db.backup.findUnique({ where: { id: result.backupId }, select: { verificationState: true } })
    : null;
  return jsonResponse(201, {
    runId: started.runId,
    status: run.status,
    key: result.key ?? started.key,
    sha256: result.sha256 ?? null,
    size: result.size ?? null,
    location: result.location ?? null,
    backupId: result.backupId ?? null,
    verification: catalogued?.verificationState ?? null,
    label: body.label,
    runUrl,
  });
}
