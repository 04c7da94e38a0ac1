import { generateKeyPairSync } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { testServices, uniqueName } from "@/tests/support/services";
import { z } from "zod";
import { azureConfigSchema } from "./azure-config";
import { createStorage, type StorageConfig } from "./create-storage";
import { gcsConfigSchema } from "./gcs-config";
import { localConfigSchema } from "./local-config";
import { s3ConfigSchema } from "./s3-config";
import { makeRedactor } from "./errors";
import { StorageError } from "./provider";

// The factory, the configurations it refuses, and what no message may ever contain.

const SECRET = "TopSecret-Do-Not-Print-9f8e7d6c";

const configSchema = z.discriminatedUnion("kind", [
  localConfigSchema,
  s3ConfigSchema,
  azureConfigSchema,
  gcsConfigSchema,
]);

function configFrom(input: Record<string, unknown>): StorageConfig {
  return configSchema.parse(input);
}

function refusal(make: () => unknown): StorageError {
  try {
    make();
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error("expected the factory to refuse this configuration");
}

describe("createStorage", () => {
  test.each([
    ["local", { kind: "local", path: "/var/backups/postgres" }],
    ["s3", { kind: "s3", bucket: "backups" }],
    ["azure", { kind: "azure", container: "backups", connectionString: "UseDevelopmentStorage=true" }],
    ["gcs", { kind: "gcs", bucket: "backups" }],
  ])("builds the %s driver without any I/O", (kind, input) => {
    const storage = createStorage(configFrom(input));
    expect(storage.kind).toBe(kind);
    expect(storage.description).toContain(kind === "local" ? "/var/backups/postgres" : "backups");
  });

  test.each([
    [
      "an unknown kind",
      () => createStorage({ kind: "ftp" } as unknown as StorageConfig),
      /Unknown location kind "ftp"/,
    ],
    [
      "azure with neither a connection string nor an account",
      () => createStorage(configFrom({ kind: "azure", container: "backups" })),
      /Enter a connection string, or an account name with an account key or a SAS token/,
    ],
    [
      "azure with an account but no key or SAS",
      () => createStorage(configFrom({ kind: "azure", container: "backups", accountName: "acct" })),
      /account key or a SAS token for the account acct/,
    ],
    [
      "azure with a malformed connection string",
      () =>
        createStorage(
          configFrom({ kind: "azure", container: "backups", connectionString: `nonsense;AccountKey=${SECRET}` }),
        ),
      /connection string is not valid/,
    ],
    [
      "s3 with a secret but no access key id",
      () => createStorage(configFrom({ kind: "s3", bucket: "backups", secretAccessKey: SECRET })),
      /Enter the access key id/,
    ],
    [
      "s3 with an access key id but no secret",
      () => createStorage(configFrom({ kind: "s3", bucket: "backups", accessKeyId: "AKIAEXAMPLE" })),
      /Enter the secret access key/,
    ],
    [
      "gcs with a key that is not JSON",
      () =>
        createStorage(configFrom({ kind: "gcs", bucket: "backups", credentialsJson: `{"private_key": "${SECRET}"` })),
      /not valid JSON/,
    ],
    [
      "gcs with JSON that is not a service-account key",
      () => createStorage(configFrom({ kind: "gcs", bucket: "backups", credentialsJson: `{"token": "${SECRET}"}` })),
      /lacks client_email or private_key/,
    ],
    [
      "an endpoint with a password in it",
      () =>
        createStorage(configFrom({ kind: "s3", bucket: "backups", endpoint: `https://user:${SECRET}@s3.example.com` })),
      /Remove the user name and password from the endpoint URL/,
    ],
    [
      "an Azure endpoint with a SAS in it",
      () =>
        createStorage(
          configFrom({
            kind: "azure",
            container: "backups",
            accountName: "acct",
            accountKey: "a2V5",
            endpoint: `https://acct.blob.core.windows.net/?sig=${SECRET}`,
          }),
        ),
      /cannot have a query string/,
    ],
    [
      "local with a relative path",
      () => createStorage({ kind: "local", path: "relative/dir", prefix: "" }),
      /absolute folder path/,
    ],
  ])("refuses %s: invalid_config, without quoting secrets", (_name, make, says) => {
    const e = refusal(make);
    expect(e.code).toBe("invalid_config");
    expect(e.message).toMatch(says);
    expect(e.message).not.toContain(SECRET);
  });

  test("descriptions never contain secrets", () => {
    const configs = [
      {
        kind: "s3",
        bucket: "backups",
        accessKeyId: "AKIAEXAMPLE",
        secretAccessKey: SECRET,
        endpoint: "http://127.0.0.1:9000",
        prefix: "db/",
      },
      { kind: "azure", container: "backups", accountName: "acct", accountKey: Buffer.from(SECRET).toString("base64") },
      { kind: "azure", container: "backups", accountName: "acct", sasToken: `sv=2022-11-02&sig=${SECRET}` },
      {
        kind: "azure",
        container: "backups",
        connectionString: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${Buffer.from(SECRET).toString("base64")};EndpointSuffix=core.windows.net`,
      },
    ];
    for (const c of configs) {
      const d = createStorage(configFrom(c)).description;
      expect(d).not.toContain(SECRET);
      expect(d).not.toContain(Buffer.from(SECRET).toString("base64"));
      expect(d).not.toMatch(/sig=|AccountKey/);
    }
    expect(createStorage(configFrom(configs[0] as Record<string, unknown>)).description).toBe(
      "s3://backups/db/ at http://127.0.0.1:9000",
    );
  });
});

describe("makeRedactor", () => {
  test("removes given secrets, their URL-encoded forms and credential-shaped text", () => {
    const redact = makeRedactor(["s3cr3t/with+chars=", ""]);
    expect(redact("key s3cr3t/with+chars= and s3cr3t%2Fwith%2Bchars%3D")).toBe("key *** and ***");
    expect(redact("AccountKey=abc123==;BlobEndpoint=x")).toBe("AccountKey=***;BlobEndpoint=x");
    expect(redact("https://a/b?sv=1&sig=abcd%3D&se=2")).toBe("https://a/b?sv=1&sig=***&se=2");
    expect(redact("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----")).toBe("***");
  });
});

describe("gcs with a service-account key", () => {
  // The emulator ignores credentials, and using a key for requests needs Google's token
  // endpoint (no internet here). Signing is local, though: the URL must be a V4 signed URL
  // for the right object, which the emulator then serves.
  test("signedDownloadUrl signs locally and points at the object", async () => {
    const gcs = testServices().gcs;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const credentialsJson = JSON.stringify({
      type: "service_account",
      client_email: "lifeboat@lifeboat-test.iam.gserviceaccount.com",
      private_key: pem,
    });
    const bucket = uniqueName("signed");
    const keyless = createStorage(
      configFrom({ kind: "gcs", bucket, projectId: gcs.projectId, apiEndpoint: gcs.endpoint }),
    );
    const { Storage } = await import("@google-cloud/storage");
    await new Storage({ apiEndpoint: gcs.endpoint, projectId: gcs.projectId }).createBucket(bucket);
    await keyless.write("dir/a b.sql.gz", Readable.from([Buffer.from("signed gcs bytes")]));

    const keyed = createStorage(
      configFrom({ kind: "gcs", bucket, projectId: gcs.projectId, apiEndpoint: gcs.endpoint, credentialsJson }),
    );
    expect(keyed.description).not.toContain("PRIVATE KEY");
    const url = await keyed.signedDownloadUrl("dir/a b.sql.gz", 600);
    expect(url).not.toBeNull();
    const u = new URL(url as string);
    expect(u.origin).toBe(gcs.endpoint);
    expect(decodeURIComponent(u.pathname)).toBe(`/${bucket}/dir/a b.sql.gz`);
    expect(u.searchParams.get("X-Goog-Algorithm")).toBe("GOOG4-RSA-SHA256");
    expect(u.searchParams.get("X-Goog-Expires")).toBe("600");
    expect(u.searchParams.get("X-Goog-Credential")).toMatch(/^lifeboat@lifeboat-test\.iam\.gserviceaccount\.com\//);
    expect(u.searchParams.get("X-Goog-Signature")).toMatch(/^[0-9a-f]{512}$/);
    const res = await fetch(u);
    expect(await res.text()).toBe("signed gcs bytes");
  });
});
