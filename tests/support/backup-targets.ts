import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { BlobServiceClient } from "@azure/storage-blob";
import { Storage } from "@google-cloud/storage";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { saveLocation } from "@/lib/locations/mutations";
import { saveLocationSchema } from "@/lib/locations/schemas";
import { saveDatabase } from "@/lib/databases/mutations";
import { saveDatabaseSchema } from "@/lib/databases/schemas";
import type { PgConnection } from "@/lib/postgres/connection";
import { testServices, uniqueName } from "@/tests/support/services";

// Fresh locations of each kind on the real test servers, saved as Lifeboat saves them, and a
// Lifeboat database entry for a real PostgreSQL database: what backup tests write into.

export type LocationKind = "local" | "s3" | "azure" | "gcs";

export async function freshLocation(
  kind: LocationKind,
  tag: string,
  folders: string[],
): Promise<{ id: string; name: string }> {
  const name = uniqueName(`${kind}-${tag}`);
  let config: Record<string, unknown>;
  if (kind === "local") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lifeboat-${tag}-`));
    folders.push(dir);
    config = { kind: "local", path: dir, prefix: "" };
  } else if (kind === "s3") {
    const s3 = testServices().s3;
    const client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await client.send(new CreateBucketCommand({ Bucket: name }));
    client.destroy();
    config = {
      kind: "s3",
      bucket: name,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      prefix: "pg/",
    };
  } else if (kind === "azure") {
    const az = testServices().azure;
    await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient(name).create();
    config = {
      kind: "azure",
      container: name,
      connectionString: "",
      accountName: az.accountName,
      accountKey: az.accountKey,
      sasToken: "",
      endpoint: az.endpoint,
      prefix: "",
    };
  } else {
    const gcs = testServices().gcs;
    await new Storage({ apiEndpoint: gcs.endpoint, projectId: gcs.projectId }).createBucket(name);
    config = {
      kind: "gcs",
      bucket: name,
      projectId: gcs.projectId,
      credentialsJson: "",
      apiEndpoint: gcs.endpoint,
      prefix: "",
    };
  }
  const saved = await saveLocation(saveLocationSchema.parse({ name, config }));
  return { id: saved.id, name };
}

/** A Lifeboat database entry for `conn` (its password sealed as the form saves it). */
export async function databaseEntry(conn: PgConnection, name: string, locationIds: string[] = []): Promise<string> {
  const saved = await saveDatabase(
    saveDatabaseSchema.parse({
      name,
      environment: "test",
      host: conn.host,
      port: conn.port,
      dbName: conn.database,
      user: conn.user,
      password: conn.password ?? "",
      sslmode: "disable",
      migrationHeadKind: "alembic",
      sources: locationIds.map((locationId) => ({ locationId, patterns: "nothing-matches-this" })),
    }),
  );
  return saved.id;
}
