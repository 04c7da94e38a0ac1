import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import type { createApiTokenSchema, revokeApiTokenSchema } from "@/lib/api-tokens/schemas";
import { displayPrefix, generateToken, hashToken } from "@/lib/api-tokens/token";

// Called only through lib/api-tokens/commands.ts (admin role, audit event without the token).

export async function createApiToken(input: z.output<typeof createApiTokenSchema>, actor: { email: string }) {
  let databaseIds: string[] | null = null;
  if (!input.allDatabases) {
    const ids = [...new Set(input.databaseIds)];
    const found = await db.database.findMany({ where: { id: { in: ids } }, select: { id: true } });
    if (found.length !== ids.length)
      throw new UserError("A chosen database no longer exists: reload the page and choose again.", 409);
    databaseIds = ids;
  }
  const token = generateToken();
  const row = await db.apiToken.create({
    data: {
      name: input.name,
      tokenHash: hashToken(token),
      prefix: displayPrefix(token),
      databaseIds: databaseIds ? JSON.stringify(databaseIds) : null,
      createdBy: actor.email,
    },
    select: { id: true, name: true, prefix: true },
  });
  // The only time the token leaves the server: shown once to the admin who made it.
  return { ...row, token, databaseIds };
}

export async function revokeApiToken(input: z.output<typeof revokeApiTokenSchema>, actor: { email: string }) {
  const row = await db.apiToken.findUnique({ where: { id: input.id } });
  if (!row) throw new NotFoundError("The token");
  if (row.revokedAt) throw new UserError(`The token ${row.name} was already revoked.`, 409);
  await db.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date(), revokedBy: actor.email } });
  return { id: row.id, name: row.name, prefix: row.prefix };
}
