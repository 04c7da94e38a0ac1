import path from "node:path";
import { z } from "zod";

// The one place that reads process.env. Parsed once, lazily, so that
// `next build` does not need runtime secrets; instrumentation.ts parses it at
// start-up so a bad value stops the server with a message naming the variable.

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** Folders the machine's owner lists for a setting an admin types: absolute, without "..", ':' or ',' between them. */
const ownerListedFolders = (example: string) =>
  z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(/[:,]/)
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .refine((dirs) => dirs.every((p) => p.startsWith("/") && !p.split("/").includes("..")), {
      message: `must be absolute folder paths separated by ':' or ',', e.g. ${example}`,
    });

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LIFEBOAT_DATABASE_URL: z
      .string()
      .default("file:./data/lifeboat.db")
      .refine((v) => v.startsWith("file:"), {
        message: "must be a SQLite URL such as file:./data/lifeboat.db",
      }),
    NEXTAUTH_SECRET: z
      .string({ error: "is required: a random string of at least 32 characters (openssl rand -base64 32)" })
      .min(32, { message: "must be at least 32 characters (openssl rand -base64 32)" }),
    NEXTAUTH_URL: z.url({ message: "must be the console's public URL, e.g. http://127.0.0.1:3000" }).optional(),
    LIFEBOAT_ENCRYPTION_KEY: z
      .string({ error: "is required: 32 random bytes in base64 (openssl rand -base64 32)" })
      .refine((v) => Buffer.from(v, "base64").length === 32, {
        message: "must be 32 random bytes encoded in base64 (openssl rand -base64 32)",
      }),
    LIFEBOAT_ADMIN_EMAIL: optionalString.pipe(z.email({ message: "must be an e-mail address" }).optional()),
    LIFEBOAT_ADMIN_PASSWORD: optionalString.pipe(
      z.string().min(12, { message: "must be at least 12 characters" }).optional(),
    ),
    LIFEBOAT_SYNC_INTERVAL_MINUTES: z.coerce
      .number({ message: "must be a number of minutes (0 turns background sync off)" })
      .min(0, { message: "must be 0 or more" })
      .max(24 * 60, { message: "must be at most 1440 (a day)" })
      .default(15),
    // Folders local locations may use (they are served to operators); none set: no local locations.
    LIFEBOAT_LOCAL_ROOTS: ownerListedFolders("/var/backups/postgres"),
    // Folders besides Debian's /usr/lib/postgresql/<major>/bin that a WAL archive's "PostgreSQL bin
    // directory" may name (the console runs pg_waldump and pg_ctl from it).
    LIFEBOAT_PG_BIN_DIRS: ownerListedFolders("/opt/postgresql/16/bin"),
    // Folders besides /etc/pgbackrest that a WAL archive's "pgBackRest config file" may be in
    // (pgBackRest reads it, and a config file can name programs it runs).
    LIFEBOAT_PGBACKREST_CONFIG_DIRS: ownerListedFolders("/srv/pgbackrest"),
    // Bearer token of GET /metrics; unset: the endpoint answers 404.
    LIFEBOAT_METRICS_TOKEN: optionalString.pipe(
      z.string().min(24, { message: "must be at least 24 characters (openssl rand -hex 24)" }).optional(),
    ),
    // Where recovery instances (point-in-time restores started on this host) keep their data
    // directories; unset: `recovery` next to Lifeboat's own database. It travels to pg_ctl through
    // a shell, so only plain path characters are accepted.
    LIFEBOAT_RECOVERY_DIR: optionalString.pipe(
      z
        .string()
        .regex(/^\/[A-Za-z0-9/._-]*$/, {
          message:
            "must be an absolute folder path of letters, digits, '/', '.', '_' and '-', e.g. /var/lib/lifeboat/recovery",
        })
        .max(120, { message: "must be at most 120 characters (a socket path inside it has to fit in 107)" })
        .optional(),
    ),
    OIDC_ISSUER: optionalString.pipe(z.url({ message: "must be the issuer URL" }).optional()),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_NAME: z.string().default("Single sign-on"),
    OIDC_DEFAULT_ROLE: z.enum(["viewer", "operator", "approver", "admin"]).default("viewer"),
    // E-mail domains single sign-on accepts (exact match, comma-separated); empty: any domain.
    OIDC_ALLOWED_DOMAINS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((d) => d.trim().toLowerCase())
          .filter(Boolean),
      )
      .refine((domains) => domains.every((d) => /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(d)), {
        message: "must be e-mail domains separated by commas, e.g. example.org,example.com",
      }),
    // Environments whose destructive steps need a second person's approval. Unset or empty means
    // the default (production): turning the rule off everywhere takes the explicit word "none",
    // so that an empty line copied from .env.example cannot switch it off.
    LIFEBOAT_TWO_PERSON_ENVIRONMENTS: z
      .string()
      .optional()
      .transform((v) => {
        const words = (v ?? "")
          .split(",")
          .map((w) => w.trim().toLowerCase())
          .filter(Boolean);
        if (words.length === 0) return ["production"];
        return words.length === 1 && words[0] === "none" ? [] : words;
      })
      .refine((list) => list.every((w) => ["production", "staging", "test"].includes(w)), {
        message: 'must be environments separated by commas (production, staging, test), or "none"',
      }),
    LIFEBOAT_APPROVAL_MINUTES: z.coerce
      .number({ message: "must be a number of minutes" })
      .int({ message: "must be a whole number of minutes" })
      .min(1, { message: "must be at least 1" })
      .max(24 * 60, { message: "must be at most 1440 (a day)" })
      .default(30),
    // Groups single sign-on accepts (the provider's `groups` claim; any one of them); empty: any.
    OIDC_ALLOWED_GROUPS: z
      .string()
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((g) => g.trim())
          .filter(Boolean),
      ),
  })
  .superRefine((v, ctx) => {
    const oidc = [v.OIDC_ISSUER, v.OIDC_CLIENT_ID, v.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together",
      });
    }
    if (Boolean(v.LIFEBOAT_ADMIN_EMAIL) !== Boolean(v.LIFEBOAT_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: ["LIFEBOAT_ADMIN_EMAIL"],
        message: "LIFEBOAT_ADMIN_EMAIL and LIFEBOAT_ADMIN_PASSWORD must be set together",
      });
    }
  });

export type Env = z.infer<typeof schema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Lifeboat cannot start: the environment is wrong:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`));
  }
  return result.data;
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

export function oidcEnabled(): boolean {
  return Boolean(env().OIDC_ISSUER);
}

// A child process (pg_dump, pg_restore, psql) gets only what it needs to run: no
// LIFEBOAT_ENCRYPTION_KEY, NEXTAUTH_SECRET or anything else the console was started with.
const CHILD_ENV_KEPT = new Set(["PATH", "HOME", "TMPDIR", "LANG", "TZ"]);

/**
 * The console's own environment as a child should inherit it: the names to keep are kept, every
 * other name maps to `undefined` (execa's `extendEnv` then removes it).
 */
export function minimalChildEnv(): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    out[name] = CHILD_ENV_KEPT.has(name) || (name.startsWith("LC_") && name !== "LC_ALL") ? value : undefined;
  }
  return out;
}

/**
 * Where local locations may point: under one of LIFEBOAT_LOCAL_ROOTS, and never at the folder
 * that holds Lifeboat's own database (nor anything containing it), whose files operators could
 * otherwise download.
 */
export function localLocationPolicy(): { roots: string[]; dataDir: string } {
  const e = env();
  const file = e.LIFEBOAT_DATABASE_URL.replace(/^file:/, "").split("?")[0] ?? "";
  return { roots: e.LIFEBOAT_LOCAL_ROOTS, dataDir: path.dirname(path.resolve(process.cwd(), file)) };
}

/** The folder that holds every recovery instance's folder (absolute). */
export function recoveryRootDir(): string {
  return env().LIFEBOAT_RECOVERY_DIR ?? path.join(localLocationPolicy().dataDir, "recovery");
}
