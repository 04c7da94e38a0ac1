import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { UserError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { authenticateApiToken } from "@/lib/api-tokens/backup-endpoint";
import { storedTokenScope } from "@/lib/api-tokens/queries";
import { createRestorePoint } from "@/lib/pitr/mutations";
import { restorePointNameSchema } from "@/lib/pitr/schemas";

// POST /api/v1/databases/{name}/restore-points: a pipeline names a restore point right before a
// migration, so a recovery can stop exactly there. Same token rules as the backup endpoint: 401
// without a valid token, 403 out of its scope (whether or not the database exists), every call
// audited.

export const pipelineRestorePointBodySchema = z.object({ name: restorePointNameSchema });

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

function json(status: number, body: Record<string, unknown>, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...extra } });
}

type Token = NonNullable<Awaited<ReturnType<typeof authenticateApiToken>>>;
const tokenActor = (t: Token) => ({ id: `api-token:${t.id}`, email: `api-token:${t.name}` });

async function audit(token: Token | null, database: string, outcome: string, detail: Record<string, unknown> = {}) {
  await recordAudit(token ? tokenActor(token) : null, {
    action: "api.restore-point",
    targetType: "database",
    targetId: typeof detail.databaseId === "string" ? detail.databaseId : null,
    detail: { database, outcome, ...detail },
  });
}

export async function pipelineRestorePointResponse(req: Request, databaseName: string): Promise<Response> {
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
  if (scope !== null && (!database || !scope.includes(database.id))) {
    await audit(token, name, "refused: database out of the token's scope");
    return json(403, {
      error: `This token may not create restore points on "${name}". Ask an admin for a token scoped to it.`,
    });
  }
  if (!database) {
    await audit(token, name, "refused: no such database");
    return json(404, { error: `No database is named "${name}" in Lifeboat (Settings → Databases).` });
  }
  let body: z.output<typeof pipelineRestorePointBodySchema>;
  try {
    const text = await req.text();
    body = pipelineRestorePointBodySchema.parse(text.trim() ? JSON.parse(text) : {});
  } catch (e) {
    const message =
      e instanceof z.ZodError
        ? e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")
        : "The body is not valid JSON.";
    await audit(token, name, "refused: invalid body", { databaseId: database.id });
    return json(400, { error: `${message}. Send e.g. {"name": "before-migration-0042"}.` });
  }
  try {
    const r = await createRestorePoint(
      { databaseId: database.id, name: body.name },
      { email: `api-token:${token.name}`, source: "api" },
    );
    await audit(token, name, "created", { databaseId: database.id, name: r.name, lsn: r.lsn });
    return json(201, {
      name: r.name,
      lsn: r.lsn,
      createdAt: r.createdAt.toISOString(),
      database: r.database,
      note: "The restore point becomes recoverable once its WAL segment is archived.",
    });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    await audit(token, name, "refused: could not create", { databaseId: database.id, reason: e.message });
    return json(e.status === 409 ? 409 : e.status >= 500 ? 502 : 400, { error: e.message });
  }
}
