import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { storedTokenScope } from "@/lib/api-tokens/queries";
import { bearerToken, hashesEqual, hashToken } from "@/lib/api-tokens/token";

// The steps every pipeline endpoint (/api/v1/databases/{name}/…) takes before its own work, in
// one place so that no endpoint can skip or reorder one: the token (401), the token's scope
// (403 whether or not the database exists, so a scoped token learns nothing of others), the
// database (404), the JSON body (400). Every outcome, refusals included, is audited.

/** The caller behind a valid API token. */
export type ApiTokenCaller = { id: string; name: string; databaseIds: string | null };

/** The token behind the header, or null (unknown, revoked, malformed). Records its use. */
export async function authenticateApiToken(header: string | null, now = new Date()): Promise<ApiTokenCaller | null> {
  const presented = bearerToken(header);
  if (!presented || presented.length > 200) return null;
  const hash = hashToken(presented);
  const row = await db.apiToken.findUnique({ where: { tokenHash: hash } });
  if (!row || !hashesEqual(row.tokenHash, hash) || row.revokedAt !== null) return null;
  await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  return { id: row.id, name: row.name, databaseIds: row.databaseIds };
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

export function jsonResponse(status: number, body: Record<string, unknown>, extra: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...extra } });
}

export type PipelineAudit = (outcome: string, detail?: Record<string, unknown>) => Promise<void>;

export type PipelineRequest<B> =
  | {
      ok: true;
      token: ApiTokenCaller;
      database: { id: string; name: string };
      body: B;
      audit: PipelineAudit;
    }
  | { ok: false; response: Response };

export async function acceptPipelineRequest<S extends z.ZodType>(
  req: Request,
  databaseName: string,
  opts: {
    /** The audit action, e.g. "api.backup". */
    action: string;
    /** What the token would do, for the 403: "back up", "create restore points on". */
    verb: string;
    body: S;
    /** An example body for the 400, e.g. {"name": "before-migration-0042"}. */
    example: string;
  },
): Promise<PipelineRequest<z.output<S>>> {
  const name = databaseName.slice(0, 200);
  const token = await authenticateApiToken(req.headers.get("authorization"));
  const audit =
    (t: ApiTokenCaller | null): PipelineAudit =>
    async (outcome, detail = {}) => {
      await recordAudit(t ? { id: `api-token:${t.id}`, email: `api-token:${t.name}` } : null, {
        action: opts.action,
        targetType: "database",
        targetId: typeof detail.databaseId === "string" ? detail.databaseId : null,
        detail: { database: name, outcome, ...detail },
      });
    };
  if (!token) {
    await audit(null)("refused: no valid token");
    return {
      ok: false,
      response: jsonResponse(
        401,
        { error: "A valid API token is required: send Authorization: Bearer <token> (Settings → API tokens)." },
        { "www-authenticate": 'Bearer realm="lifeboat-api"' },
      ),
    };
  }
  const tokenAudit = audit(token);
  const scope = storedTokenScope(token.databaseIds);
  const database = await db.database.findUnique({ where: { name }, select: { id: true, name: true } });
  if (scope !== null && (!database || !scope.includes(database.id))) {
    await tokenAudit("refused: database out of the token's scope");
    return {
      ok: false,
      response: jsonResponse(403, {
        error: `This token may not ${opts.verb} "${name}". Ask an admin for a token scoped to it.`,
      }),
    };
  }
  if (!database) {
    await tokenAudit("refused: no such database");
    return {
      ok: false,
      response: jsonResponse(404, { error: `No database is named "${name}" in Lifeboat (Settings → Databases).` }),
    };
  }
  try {
    const text = await req.text();
    const body = opts.body.parse(text.trim() ? JSON.parse(text) : {}) as z.output<S>;
    return { ok: true, token, database, body, audit: tokenAudit };
  } catch (e) {
    const message =
      e instanceof z.ZodError
        ? e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")
        : "The body is not valid JSON.";
    await tokenAudit("refused: invalid body", { databaseId: database.id });
    return { ok: false, response: jsonResponse(400, { error: `${message}. Send e.g. ${opts.example}.` }) };
  }
}
