import { z } from "zod";
import { env } from "@/lib/env";
import { pgBinDirProblem } from "@/lib/pitr/bin-dir";
import { REPO_TYPES } from "@/lib/pitr/repo-config";

// Inputs of the WAL archive's commands (plain TypeScript: the form and the server both use them).

const oneLine = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `${label} has at most ${max} characters` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { message: `${label} is one line without control characters` });

const absolutePath = (label: string) =>
  oneLine(label, 500).refine((v) => v === "" || (v.startsWith("/") && !v.split("/").includes("..")), {
    message: `${label} must be an absolute path without "..", e.g. /etc/pgbackrest/pgbackrest.conf`,
  });

const optional = (s: z.ZodType<string>) => s.optional().transform((v) => (v ? v : undefined));

export const WAL_RPO_MAX_MINUTES = 24 * 60;

export const saveWalArchiveSchema = z
  .object({
    databaseId: z.string().min(1),
    stanza: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
        message: "The stanza is the name in pgBackRest's config (letters, digits, '.', '_', '-'; at most 64)",
      }),
    configPath: optional(absolutePath("The config path")),
    repoType: z.enum(REPO_TYPES, { message: "Choose the repository type" }),
    repoPath: absolutePath("The repository path").refine((v) => v !== "", {
      message: "The repository path is required (e.g. /var/lib/pgbackrest, or the path inside the bucket)",
    }),
    s3Bucket: optional(oneLine("The bucket", 200)),
    s3Endpoint: optional(oneLine("The endpoint", 300)),
    s3Region: optional(oneLine("The region", 100)),
    s3UriStyle: z.enum(["host", "path"]).optional(),
    azureAccount: optional(oneLine("The account", 200)),
    azureContainer: optional(oneLine("The container", 200)),
    azureEndpoint: optional(oneLine("The endpoint", 300)),
    gcsBucket: optional(oneLine("The bucket", 200)),
    gcsEndpoint: optional(oneLine("The endpoint", 300)),
    gcsKeyType: z.enum(["service", "token", "auto"]).optional(),
    gcsKeyPath: optional(absolutePath("The key file")),
    verifyTls: z.boolean().default(true),
    cipherType: z.enum(["none", "aes-256-cbc"]).default("none"),
    // Secrets: empty keeps the saved one.
    s3Key: optional(oneLine("The access key", 500)),
    s3KeySecret: optional(oneLine("The secret key", 500)),
    s3Token: optional(oneLine("The session token", 4000)),
    azureKey: optional(oneLine("The account key", 500)),
    gcsToken: optional(oneLine("The token", 4000)),
    cipherPass: optional(oneLine("The encryption passphrase", 500)),
    pgBinDir: optional(
      absolutePath("The PostgreSQL bin directory").superRefine((v, ctx) => {
        const problem = v === "" ? null : pgBinDirProblem(v, env().LIFEBOAT_PG_BIN_DIRS);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    ),
    walRpoMinutes: z.coerce
      .number({ message: "The WAL RPO must be a number of minutes" })
      .int({ message: "The WAL RPO must be a whole number of minutes" })
      .min(1, { message: "The WAL RPO must be at least 1 minute" })
      .max(WAL_RPO_MAX_MINUTES, { message: `The WAL RPO must be at most ${WAL_RPO_MAX_MINUTES} minutes (a day)` })
      .default(5),
  })
  .superRefine((v, ctx) => {
    const need = (field: keyof typeof v, message: string) => {
      if (!v[field]) ctx.addIssue({ code: "custom", path: [field], message });
    };
    if (v.repoType === "s3") {
      need("s3Bucket", "The S3 bucket is required");
      need("s3Endpoint", "The S3 endpoint is required (e.g. s3.eu-west-1.amazonaws.com)");
      need("s3Region", "The S3 region is required");
    }
    if (v.repoType === "azure") {
      need("azureAccount", "The Azure storage account is required");
      need("azureContainer", "The Azure container is required");
    }
    if (v.repoType === "gcs") {
      need("gcsBucket", "The GCS bucket is required");
      if (v.gcsKeyType === "service") need("gcsKeyPath", "The service account key file is required");
    }
  });
export type SaveWalArchiveInput = z.input<typeof saveWalArchiveSchema>;

export const walArchiveDatabaseSchema = z.object({ databaseId: z.string().min(1) });

// pg_create_restore_point takes a name of at most 63 bytes; recovery_target_name must find it
// again, so it is kept to characters that survive every layer (form, API, argv of pgBackRest).
export const RESTORE_POINT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
export const RESTORE_POINT_NAME_MAX = 63;

export const restorePointNameSchema = z
  .string()
  .trim()
  .min(1, { message: "Give the restore point a name, e.g. before-migration-0042" })
  .max(RESTORE_POINT_NAME_MAX, { message: `A restore point's name has at most ${RESTORE_POINT_NAME_MAX} characters` })
  .regex(RESTORE_POINT_NAME_RE, {
    message:
      "A restore point's name starts with a letter or digit and holds only letters, digits, '.', '_', ':' and '-'",
  });

export const createRestorePointSchema = z.object({ databaseId: z.string().min(1), name: restorePointNameSchema });
