import "server-only";
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import type { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { fullConfig, keptSecrets, sealSecrets, splitConfig, unsealSecrets } from "@/lib/locations/config";
import { locationConfigSchema, type saveLocationSchema, type LocationConfig } from "@/lib/locations/schemas";
import { createStorage } from "@/lib/storage/create-storage";
import { StorageError } from "@/lib/storage/provider";
import { assertAllowedLocalPath } from "@/lib/storage/local-roots";
import { localLocationPolicy } from "@/lib/env";

// Called only through lib/locations/commands.ts (admin role, audit event).

export async function saveLocation(input: z.output<typeof saveLocationSchema>) {
  if (input.config.kind === "local") {
    try {
      assertAllowedLocalPath(input.config.path, localLocationPolicy());
    } catch (e) {
      if (e instanceof StorageError) throw new UserError(e.message);
      throw e;
    }
  }
  const { publicConfig, secrets } = splitConfig(input.config);
  let mergedSecrets = secrets;
  let secretsDropped: string[] = [];
  if (input.id) {
    const existing = await db.location.findUnique({ where: { id: input.id } });
    if (!existing) throw new NotFoundError("The location");
    // Empty secret inputs keep what is stored (unless the admin asked to clear it), but only
    // while the address stays the same.
    const stored = keptSecrets(existing, input.config);
    secretsDropped = Object.keys(unsealSecrets(existing)).filter(
      (f) => !(f in stored) && !(f in secrets) && !input.clearSecrets.includes(f),
    );
    for (const f of input.clearSecrets) delete stored[f];
    mergedSecrets = { ...stored, ...secrets };
  }
  // The id is chosen before the row exists: the sealed secrets are bound to it.
  const id = input.id ?? randomUUID();
  const data = {
    name: input.name,
    kind: input.config.kind,
    config: JSON.stringify(publicConfig),
    secrets: sealSecrets(id, mergedSecrets),
  };
  try {
    const saved = input.id
      ? await db.location.update({ where: { id: input.id }, data })
      : await db.location.create({ data: { id, ...data } });
    return {
      id: saved.id,
      name: saved.name,
      kind: saved.kind,
      secretFields: Object.keys(mergedSecrets),
      secretsDropped,
    };
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      throw new UserError(`A location named "${input.name}" already exists. Choose another name.`, 409);
    }
    throw e;
  }
}

export async function deleteLocation(input: { id: string }) {
  const existing = await db.location.findUnique({
    where: { id: input.id },
    include: { _count: { select: { backups: true } } },
  });
  if (!existing) throw new NotFoundError("The location");
  await db.location.delete({ where: { id: input.id } });
  return { id: existing.id, name: existing.name, catalogRowsRemoved: existing._count.backups };
}

export type ProbeResult =
  { ok: true; latencyMs: number; description: string } | { ok: false; error: string; code: string };

async function probeConfig(config: LocationConfig): Promise<ProbeResult> {
  try {
    const storage = createStorage(config);
    const { latencyMs } = await storage.probe();
    return { ok: true, latencyMs, description: storage.description };
  } catch (e) {
    if (e instanceof StorageError) return { ok: false, error: e.message, code: e.code };
    console.error("[lifeboat] probe failed unexpectedly:", e);
    return {
      ok: false,
      error: "The connection test failed unexpectedly; the details are in the server log.",
      code: "unknown",
    };
  }
}

/** Tests a saved location and records the result on it. */
export async function testLocation(input: { id: string }): Promise<ProbeResult> {
  const location = await db.location.findUnique({ where: { id: input.id } });
  if (!location) throw new NotFoundError("The location");
  const result = await probeConfig(fullConfig(location));
  await db.location.update({
    where: { id: location.id },
    data: {
      lastProbeAt: new Date(),
      lastProbeLatencyMs: result.ok ? Math.round(result.latencyMs) : null,
      lastProbeError: result.ok ? null : result.error,
    },
  });
  return result;
}

/** Tests a configuration before it is saved (secrets left empty fall back to the stored ones). */
export async function testUnsavedLocation(input: { id?: string; config: LocationConfig }): Promise<ProbeResult> {
  let config = input.config;
  if (input.id) {
    const existing = await db.location.findUnique({ where: { id: input.id } });
    if (existing) {
      const { secrets } = splitConfig(config);
      config = locationConfigSchema.parse({ ...config, ...keptSecrets(existing, config), ...secrets });
    }
  }
  return probeConfig(config);
}
