import { z } from "zod";

// The shape of a WAL archive's repository settings as stored on WalArchive: the options anyone
// may see (repoOptions, JSON) and the secrets (repoSecretEnc, sealed JSON). Both become
// pgBackRest options: the options on its command line, the secrets only in its environment.

export const REPO_TYPES = ["posix", "s3", "azure", "gcs"] as const;
export type RepoType = (typeof REPO_TYPES)[number];

// Values go into pgBackRest's argv as `--name=value`: no line breaks, no NUL, bounded length.
const optionValue = z
  .string()
  .trim()
  .max(500)
  .refine((v) => !/[\u0000-\u001f]/.test(v), { message: "must be one line without control characters" });

export const repoOptionsSchema = z
  .object({
    s3Bucket: optionValue,
    s3Endpoint: optionValue,
    s3Region: optionValue,
    s3UriStyle: z.enum(["host", "path"]),
    azureAccount: optionValue,
    azureContainer: optionValue,
    azureEndpoint: optionValue,
    gcsBucket: optionValue,
    gcsEndpoint: optionValue,
    // "service": gcsKeyPath names a service-account key file on the recovery host; "token": the
    // token is a secret; "auto": the host's own credentials.
    gcsKeyType: z.enum(["service", "token", "auto"]),
    gcsKeyPath: optionValue,
    verifyTls: z.boolean(),
    cipherType: z.enum(["none", "aes-256-cbc"]),
    // Only `npm run demo` sets it: sample health, no repository behind it (lib/pitr/demo-archive.ts).
    demo: z.literal(true),
  })
  .partial()
  .strict();
export type RepoOptions = z.infer<typeof repoOptionsSchema>;

export const REPO_SECRET_NAMES = ["s3Key", "s3KeySecret", "s3Token", "azureKey", "gcsToken", "cipherPass"] as const;
export type RepoSecretName = (typeof REPO_SECRET_NAMES)[number];
export const repoSecretsSchema = z.partialRecord(z.enum(REPO_SECRET_NAMES), z.string().max(4000));
export type RepoSecrets = z.infer<typeof repoSecretsSchema>;

/** The environment variable pgBackRest reads each secret from (repository 1). */
export const SECRET_ENV: Record<RepoSecretName, string> = {
  s3Key: "PGBACKREST_REPO1_S3_KEY",
  s3KeySecret: "PGBACKREST_REPO1_S3_KEY_SECRET",
  s3Token: "PGBACKREST_REPO1_S3_TOKEN",
  azureKey: "PGBACKREST_REPO1_AZURE_KEY",
  gcsToken: "PGBACKREST_REPO1_GCS_KEY",
  cipherPass: "PGBACKREST_REPO1_CIPHER_PASS",
};

/** Which secrets each repository type uses (the others are dropped on save). */
export const SECRETS_OF: Record<RepoType, readonly RepoSecretName[]> = {
  posix: ["cipherPass"],
  s3: ["s3Key", "s3KeySecret", "s3Token", "cipherPass"],
  azure: ["azureKey", "cipherPass"],
  gcs: ["gcsToken", "cipherPass"],
};

/** pgBackRest's command-line options for the repository (never a secret). */
export function repoArgs(repoType: RepoType, repoPath: string, o: RepoOptions): string[] {
  const out = [`--repo1-type=${repoType}`, `--repo1-path=${repoPath}`];
  const add = (name: string, v: string | undefined) => {
    if (v) out.push(`--${name}=${v}`);
  };
  if (repoType === "s3") {
    add("repo1-s3-bucket", o.s3Bucket);
    add("repo1-s3-endpoint", o.s3Endpoint);
    add("repo1-s3-region", o.s3Region);
    add("repo1-s3-uri-style", o.s3UriStyle);
  } else if (repoType === "azure") {
    add("repo1-azure-account", o.azureAccount);
    add("repo1-azure-container", o.azureContainer);
    add("repo1-azure-endpoint", o.azureEndpoint);
  } else if (repoType === "gcs") {
    add("repo1-gcs-bucket", o.gcsBucket);
    add("repo1-gcs-endpoint", o.gcsEndpoint);
    add("repo1-gcs-key-type", o.gcsKeyType);
    if (o.gcsKeyType === "service") add("repo1-gcs-key", o.gcsKeyPath);
  }
  if (repoType !== "posix" && o.verifyTls === false) out.push("--no-repo1-storage-verify-tls");
  if (o.cipherType && o.cipherType !== "none") add("repo1-cipher-type", o.cipherType);
  return out;
}
