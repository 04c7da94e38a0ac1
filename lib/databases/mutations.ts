import "server-only";
import { randomUUID, X509Certificate } from "node:crypto";
import { Prisma } from "@prisma/client";
import type { z } from "zod";
import { db } from "@/lib/db";
import { NotFoundError, UserError } from "@/lib/errors";
import { seal, unseal } from "@/lib/crypto/key";
import type { saveDatabaseSchema } from "@/lib/databases/schemas";
import type { PgConnection } from "@/lib/postgres/connection";
import { pemBlocks } from "@/lib/postgres/tls";
import { serverVersion } from "@/lib/postgres/run";
import { reassignCatalog } from "@/lib/catalog/assign";

// Called only through lib/databases/commands.ts (admin role, audit event).

/** A database's sealed password opens only on its own row. */
const passwordContext = (databaseId: string) => ({ table: "Database", id: databaseId, field: "passwordEnc" });

export async function saveDatabase(input: z.output<typeof saveDatabaseSchema>) {
  const { id, password, clearPassword, sources, ...rest } = input;
  if (rest.sslRootCert) checkCaCertificate(rest.sslRootCert);
  // Saving settles the head setting: a note left by an old free-text query goes away.
  const fields = { ...rest, migrationHeadNote: null };
  const existing = id ? await db.database.findUnique({ where: { id } }) : null;
  if (id && !existing) throw new NotFoundError("The database");
  // The stored password stays only while it goes to the same server and user: otherwise an
  // admin could send it to an address of their choosing.
  const sameAddress =
    existing !== null &&
    existing.host === fields.host &&
    existing.port === fields.port &&
    existing.user === fields.user;
  const passwordDropped = !password && !clearPassword && existing?.passwordEnc != null && !sameAddress;
  // The id is chosen before the row exists: the sealed password is bound to it. A kept password
  // is sealed again, so an older format moves to the current one on the next save.
  const rowId = id ?? randomUUID();
  const kept = () => (existing?.passwordEnc ? unseal(existing.passwordEnc, passwordContext(rowId)) : null);
  const plain = password ? password : clearPassword || !sameAddress ? null : kept();
  const passwordEnc = plain ? seal(plain, passwordContext(rowId)) : null;
  const seenLocations = new Set<string>();
  for (const s of sources) {
    if (seenLocations.has(s.locationId))
      throw new UserError("Each location can appear once per database; put several patterns on one line each instead.");
    seenLocations.add(s.locationId);
  }
  const before = id
    ? await db.databaseSource.findMany({ where: { databaseId: id }, select: { locationId: true } })
    : [];
  try {
    const saved = await db.$transaction(async (tx) => {
      const row = id
        ? await tx.database.update({ where: { id }, data: { ...fields, passwordEnc } })
        : await tx.database.create({ data: { id: rowId, ...fields, passwordEnc } });
      await tx.databaseSource.deleteMany({ where: { databaseId: row.id } });
      for (const s of sources)
        await tx.databaseSource.create({
          data: { databaseId: row.id, locationId: s.locationId, patterns: s.patterns },
        });
      return row;
    });
    // Changed patterns apply to what is catalogued now, not at the next sync.
    const touched = [...new Set([...before.map((s) => s.locationId), ...sources.map((s) => s.locationId)])];
    const catalog = await reassignCatalog(touched);
    return {
      id: saved.id,
      name: saved.name,
      environment: saved.environment,
      host: saved.host,
      dbName: saved.dbName,
      sslmode: saved.sslmode,
      caCertificate: saved.sslRootCert !== null,
      migrationHeadKind: saved.migrationHeadKind,
      passwordChanged: Boolean(password) || clearPassword || passwordDropped,
      passwordDropped,
      catalog,
    };
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      throw new UserError(`A database named "${input.name}" already exists. Choose another name.`, 409);
    }
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2003") {
      throw new UserError("One of the chosen locations no longer exists. Reload the page.", 409);
    }
    throw e;
  }
}

export async function deleteDatabase(input: { id: string }) {
  const existing = await db.database.findUnique({
    where: { id: input.id },
    include: { sources: { select: { locationId: true } } },
  });
  if (!existing) throw new NotFoundError("The database");
  await db.database.delete({ where: { id: input.id } });
  // Its backups may match another database's patterns.
  await reassignCatalog(existing.sources.map((s) => s.locationId));
  return { id: existing.id, name: existing.name };
}

/** The connection with the decrypted password: server-side use only. */
export async function connectionOf(id: string): Promise<PgConnection> {
  const d = await db.database.findUnique({ where: { id } });
  if (!d) throw new NotFoundError("The database");
  return {
    host: d.host,
    port: d.port,
    user: d.user,
    database: d.dbName,
    password: d.passwordEnc ? unseal(d.passwordEnc, passwordContext(d.id)) : undefined,
    sslmode: d.sslmode as PgConnection["sslmode"],
    sslrootcert: d.sslRootCert,
  };
}

/** Each PEM block must be a certificate the server can read; says which one is not. */
function checkCaCertificate(pem: string) {
  const blocks = pemBlocks(pem);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new UserError(
        `The CA certificate${blocks.length > 1 ? ` (block ${i + 1} of ${blocks.length})` : ""} is not a readable X.509 certificate: paste the CA's PEM file as it is.`,
      );
    }
  });
}

export async function testDatabase(input: { id: string }) {
  const conn = await connectionOf(input.id);
  const started = performance.now();
  try {
    const version = await serverVersion(conn);
    const latencyMs = Math.round(performance.now() - started);
    return { ok: true as const, version, latencyMs };
  } catch (e) {
    if (e instanceof UserError) return { ok: false as const, error: e.message };
    console.error("[lifeboat] database test failed:", e);
    return { ok: false as const, error: "The connection test failed unexpectedly; the details are in the server log." };
  }
}
