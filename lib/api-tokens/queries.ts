import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { parseStoredJsonOrNull } from "@/lib/stored-json";

export type ApiTokenRow = {
  id: string;
  name: string;
  prefix: string;
  /** null: every database. */
  databases: string[] | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
};

/** ApiToken.databaseIds: JSON array of Database ids, or null for every database. */
export function storedTokenScope(json: string | null): string[] | null {
  return parseStoredJsonOrNull(json, z.array(z.string()), "ApiToken.databaseIds");
}

export async function listApiTokens(): Promise<ApiTokenRow[]> {
  const [tokens, databases] = await Promise.all([
    db.apiToken.findMany({ orderBy: [{ revokedAt: "asc" }, { createdAt: "desc" }] }),
    db.database.findMany({ select: { id: true, name: true } }),
  ]);
  const nameOf = (id: string) => databases.find((d) => d.id === id)?.name ?? "(removed database)";
  return tokens.map((t) => {
    const scope = storedTokenScope(t.databaseIds);
    return {
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      databases: scope ? scope.map(nameOf) : null,
      createdBy: t.createdBy,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
      revokedBy: t.revokedBy,
    };
  });
}
