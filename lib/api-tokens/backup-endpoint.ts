import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { manualBackupLabelSchema } from "@/lib/backups/labels";
import { backupRunFormatSchema } from "@/lib/backups/backup-run-kind";
import { backupStepResultSchema, startBackupRun } from "@/lib/backups/backup-run";
import { parseStoredJson } from "@/lib/stored-json";
import { storedTokenScope } from "@/lib/api-tokens/queries";
import { bearerToken, hashesEqual, hashToken } from "@/lib/api-tokens/token";

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

type Token = { id: string; name: string; databaseIds: string | null };

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

function json(status: number, body: Record<string, unknown>, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...extra } });
}

/** The token behind the header, or null (unknown, revoked, malformed). Records its use. */
export async function authenticateApiToken(header: string | null, now = new Date()): Promise<Token | null> {
  const presented = bearerToken(header);
  if (!presented || presented.length > 200) return null;
  const hash = hashToken(presented);
  const row = await db.apiToken.findUnique({ where: { tokenHash: hash } });
  if (!row || !hashesEqual(row.tokenHash, hash) || row.revokedAt !== null) return null;
  await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  return { id: row.id, name: row.name, databaseIds: row.databaseIds };
}

const tokenActor = (t: Token) => ({ id: `api-token:${t.id}`, email: `api-token:${t.name}` });

async function audit(token: Token | null, database: string, outcome: string, detail: Record<string, unknown> = {}) {
  await recordAudit(token ? tokenActor(token) : null, {
    action: "api.backup",
    targetType: "database",
    targetId: typeof detail.databaseId === "string" ? detail.databaseId : null,
    detail: { database, outcome, ...detail },
  });
}

function sleep(ms: number): Promise<"timeout"> {
  return new Promise((resolve) => setTimeout(() => resolve("timeout"), ms).unref());
}

export async function pipelineBackupResponse(req: Request, databaseName: string): Promise<Response> {
  const name = databaseName.slice(0, 200);
  const token = await authenticateApiToken(req.headers.get("authorization"));
  if (!token) {
    await audit(null, name, "refused: no valid token");
    return json(
      401,
      { error: "A valid API token is required: send Authorization: Bearer <token> (Settings → API tokens)." },
      { "www-authenticate": 'Bearer realm="lifeboat-api"' },
    );
  }
  const scope = storedTokenScope(token.databaseIds);
  const database = await db.database.findUnique({ where: { name }, select: { id: true, name: true } });
  // Out of scope whether or not the database exists: a scoped token learns nothing about others.
  if (scope !== null && (!database || !scope.includes(database.id))) {
    await audit(token, name, "refused: database out of the token's scope");
    return json(403, { error: `This token may not back up "${name}". Ask an admin for a token scoped to it.` });
  }
  if (!database) {
    await audit(token, name, "refused: no such database");
    return json(404, { error: `No database is named "${name}" in Lifeboat (Settings → Databases).` });
  }

  let body: z.output<typeof pipelineBackupBodySchema>;
  try {
    const text = await req.text();
    body = pipelineBackupBodySchema.parse(text.trim() ? JSON.parse(text) : {});
  } catch (e) {
    const message =
      e instanceof z.ZodError
        ? e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")
        : "The body is not valid JSON.";
    await audit(token, name, "refused: invalid body", { databaseId: database.id });
    return json(400, {
      error: `${message}. Send e.g. {"label": "pre-migration", "wait": true, "timeoutSeconds": 600}.`,
    });
  }

  let locationId: string | null = null;
  if (body.location) {
    const location = await db.location.findUnique({ where: { name: body.location }, select: { id: true } });
    if (!location) {
      await audit(token, name, "refused: no such location", { databaseId: database.id });
      return json(400, { error: `No location is named "${body.location}" (Settings → Locations).` });
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
      tokenActor(token),
    );
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    await audit(token, name, "refused: could not start", { databaseId: database.id, reason: e.message });
    return json(e.status === 404 ? 404 : 409, { error: e.message });
  }
  await audit(token, name, "started", { databaseId: database.id, runId: started.runId, label: body.label });

  const runUrl = `/restores/${started.runId}`;
  if (!body.wait)
    return json(202, { runId: started.runId, status: "queued", key: started.key, label: body.label, runUrl });

  const waited = await Promise.race([started.done.then(() => "done" as const), sleep(body.timeoutSeconds * 1000)]);
  const run = await db.run.findUniqueOrThrow({
    where: { id: started.runId },
    select: { status: true, verdict: true, steps: { where: { key: "backup" }, select: { result: true } } },
  });
  if (waited === "timeout" || run.status !== "succeeded") {
    const failed = run.status === "failed" || run.status === "cancelled";
    return json(failed ? 502 : 202, {
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
  return json(201, {
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
