import { z } from "zod";
import { HEAD_KINDS, headSourceProblems } from "@/lib/postgres/head-query";
import { caCertProblem, SSL_MODES } from "@/lib/postgres/tls";

export const ENVIRONMENTS = ["production", "staging", "test"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const positiveInt = (label: string, max: number) =>
  z.coerce
    .number({ message: `${label} must be a number` })
    .int({ message: `${label} must be a whole number` })
    .min(1, { message: `${label} must be at least 1` })
    .max(max, { message: `${label} must be at most ${max}` });

export const DEFAULT_MIGRATION_UPGRADE_COMMAND = "alembic upgrade head";
export const DEFAULT_MIGRATION_DOWNGRADE_COMMAND = "alembic downgrade -1";
export const MAX_MIGRATION_COMMAND_LENGTH = 300;

/**
 * A migration tool's command (e.g. `flyway migrate`, `npx prisma migrate deploy`). It is only
 * text shown at a manual step for a person to run: Lifeboat never executes it, so it is not
 * parsed as a command line, only kept to one printable line.
 */
const migrationCommand = (label: string, fallback: string) =>
  z
    .string()
    .trim()
    .max(MAX_MIGRATION_COMMAND_LENGTH, { message: `${label} has at most ${MAX_MIGRATION_COMMAND_LENGTH} characters` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { message: `${label} is one line without control characters` })
    .transform((v) => v || fallback);

/** The most pg_restore --jobs a database may be set to (more connections rarely restore faster). */
export const MAX_RESTORE_JOBS = 8;

/**
 * pg_restore --jobs for the database's restores: a whole number from 1 to MAX_RESTORE_JOBS, or
 * "automatic" (or empty): null, the console's cores up to MAX_RESTORE_JOBS.
 */
const restoreJobsField = z
  .union([z.number(), z.string()])
  .nullable()
  .transform((v, ctx) => {
    const text = v === null ? "" : String(v).trim().toLowerCase();
    if (text === "" || text === "automatic") return null;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > MAX_RESTORE_JOBS) {
      ctx.addIssue({
        code: "custom",
        message: `Restore jobs must be a whole number from 1 to ${MAX_RESTORE_JOBS}, or automatic (the console's cores, at most ${MAX_RESTORE_JOBS})`,
      });
      return z.NEVER;
    }
    return n;
  })
  .default(null);

/** A table, schema or column name of the migration head setting; empty: not set. */
const headName = z
  .string()
  .trim()
  .transform((v) => (v === "" ? null : v))
  .default(null);

export const saveDatabaseSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().trim().min(1, { message: "Enter a name" }).max(80),
    environment: z.enum(ENVIRONMENTS, { message: "Choose production, staging or test" }),
    host: z
      .string()
      .trim()
      .min(1, { message: "Enter the host" })
      .max(255)
      .refine((h) => !/[\s/]/.test(h), { message: "A host has no spaces or slashes" }),
    port: positiveInt("Port", 65535).default(5432),
    dbName: z
      .string()
      .trim()
      .min(1, { message: "Enter the database name" })
      .max(63, { message: "PostgreSQL names have at most 63 bytes" }),
    user: z.string().trim().min(1, { message: "Enter the user" }).max(63),
    /** Write-only: empty keeps the stored password. */
    password: z.string().max(1024).default(""),
    clearPassword: z.boolean().default(false),
    // No default: how the password travels is a choice the admin makes (the form recommends
    // verify-full for production), never a silent "prefer".
    sslmode: z.enum(SSL_MODES, {
      message: "Choose the TLS mode: verify-full for production, disable only on a trusted network",
    }),
    /** The CA certificate (PEM) for verify-ca/verify-full; empty: none (libpq's ~/.postgresql/root.crt). */
    sslRootCert: z
      .string()
      .trim()
      .transform((v) => (v === "" ? null : v))
      .superRefine((v, ctx) => {
        const problem = v === null ? null : caCertProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .default(null),
    rpoHours: z.coerce
      .number({ message: "RPO must be a number of hours" })
      .positive({ message: "RPO must be more than 0 hours" })
      .max(24 * 90)
      .default(24),
    rtoCorruptionMinutes: positiveInt("RTO (corruption)", 100_000).default(15),
    rtoInfraLossMinutes: positiveInt("RTO (infrastructure loss)", 100_000).default(120),
    rtoDcFailureMinutes: positiveInt("RTO (data-center failure)", 100_000).default(240),
    migrationHeadKind: z
      .enum(HEAD_KINDS, { message: "Choose the migration tool, another table, or none" })
      .default("alembic"),
    migrationHeadSchema: headName,
    migrationHeadTable: headName,
    migrationHeadColumn: headName,
    migrationHeadOrderBy: headName,
    migrationUpgradeCommand: migrationCommand("The upgrade command", DEFAULT_MIGRATION_UPGRADE_COMMAND).default(
      DEFAULT_MIGRATION_UPGRADE_COMMAND,
    ),
    migrationDowngradeCommand: migrationCommand("The downgrade command", DEFAULT_MIGRATION_DOWNGRADE_COMMAND).default(
      DEFAULT_MIGRATION_DOWNGRADE_COMMAND,
    ),
    restoreJobs: restoreJobsField,
    gfsDailyDays: positiveInt("Daily retention", 10_000).default(30),
    gfsWeeklyDays: positiveInt("Weekly retention", 10_000).default(91),
    gfsMonthlyDays: positiveInt("Monthly retention", 100_000).default(365),
    sources: z
      .array(
        z.object({
          locationId: z.string().min(1, { message: "Choose a location" }),
          patterns: z
            .string()
            .trim()
            .min(1, { message: "Enter at least one key pattern, e.g. mydb_backup_*" })
            .max(2000),
        }),
      )
      .default([]),
  })
  .superRefine((v, ctx) => {
    // Names are quoted when Lifeboat builds the query; checked again before every use.
    const problems = headSourceProblems({
      kind: v.migrationHeadKind,
      schema: v.migrationHeadSchema,
      table: v.migrationHeadTable,
      column: v.migrationHeadColumn,
      orderBy: v.migrationHeadOrderBy,
    });
    const field = { schema: "Schema", table: "Table", column: "Column", orderBy: "OrderBy" } as const;
    for (const p of problems)
      ctx.addIssue({ code: "custom", path: [`migrationHead${field[p.field]}`], message: p.message });
  });
export type SaveDatabaseInput = z.input<typeof saveDatabaseSchema>;
export const databaseIdSchema = z.object({ id: z.string().min(1) });
