import "server-only";
import { z } from "zod";
import { UserError } from "@/lib/errors";
import { acceptPipelineRequest, jsonResponse } from "@/lib/api-tokens/pipeline-request";
import { createRestorePoint } from "@/lib/pitr/mutations";
import { restorePointNameSchema } from "@/lib/pitr/schemas";

// POST /api/v1/databases/{name}/restore-points: a pipeline names a restore point right before a
// migration, so a recovery can stop exactly there. Same token rules as the backup endpoint: 401
// without a valid token, 403 out of its scope (whether or not the database exists), every call
// audited.

export const pipelineRestorePointBodySchema = z.object({ name: restorePointNameSchema });

export async function pipelineRestorePointResponse(req: Request, databaseName: string): Promise<Response> {
  const accepted = await acceptPipelineRequest(req, databaseName, {
    action: "api.restore-point",
    verb: "create restore points on",
    body: pipelineRestorePointBodySchema,
    example: '{"name": "before-migration-0042"}',
  });
  if (!accepted.ok) return accepted.response;
  const { token, database, body, audit } = accepted;
  try {
    const r = await createRestorePoint(
      { databaseId: database.id, name: body.name },
      { email: `api-token:${token.name}`, source: "api" },
    );
    await audit("created", { databaseId: database.id, name: r.name, lsn: r.lsn });
    return jsonResponse(201, {
      name: r.name,
      lsn: r.lsn,
      createdAt: r.createdAt.toISOString(),
      database: r.database,
      note: "The restore point becomes recoverable once its WAL segment is archived.",
    });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    await audit("refused: could not create", { databaseId: database.id, reason: e.message });
    return jsonResponse(e.status === 409 ? 409 : e.status >= 500 ? 502 : 400, { error: e.message });
  }
}
