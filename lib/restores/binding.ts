import { z } from "zod";
import type { StoredPlan } from "@/lib/runner/plan";
import type { RestoreContext } from "./steps";

// What a confirmed plan is bound to, besides its steps: the exact backup object (where, which
// key, its size, etag and sha256) and the target's connection (host, port, database). It is
// part of the plan's summary, so the plan hash the operator confirms (and an approval) covers
// it; execution and every resume compare it with what is there now. Pure.

export const planBindingSchema = z.object({
  backup: z.object({
    /** The location's secret-free address (s3://bucket/prefix, a folder…). */
    location: z.string(),
    key: z.string(),
    size: z.number(),
    etag: z.string().nullable(),
    /** The bytes' sha256 when Lifeboat knew it at planning time: its own verification, else the manifest's. */
    sha256: z.string().nullable(),
    sha256From: z.enum(["verification", "manifest"]).nullable(),
  }),
  target: z.object({ host: z.string(), port: z.number(), database: z.string() }),
});
export type PlanBinding = z.output<typeof planBindingSchema>;

export function bindingOf(rc: Pick<RestoreContext, "backup" | "target">): PlanBinding {
  const { backup, target } = rc;
  const sha256 = backup.sha256 ?? backup.manifest?.sha256 ?? null;
  return {
    backup: {
      location: backup.storage.description,
      key: backup.key,
      size: backup.size,
      etag: backup.etag ?? null,
      sha256,
      sha256From: backup.sha256 ? "verification" : sha256 ? "manifest" : null,
    },
    target: { host: target.conn.host, port: target.conn.port, database: target.conn.database },
  };
}

/** The binding a stored plan was confirmed with; null for plans made before plans were bound. */
export function storedBinding(plan: Pick<StoredPlan, "summary">): PlanBinding | null {
  const r = planBindingSchema.safeParse(plan.summary.binding);
  return r.success ? r.data : null;
}

const short = (v: string | null) => (v === null ? "unknown" : v.length > 48 ? `${v.slice(0, 48)}…` : v);

/** "it is now 1.2 kB (etag …), …" pieces: what differs between the confirmed backup and the one now. */
export function backupDifferences(confirmed: PlanBinding["backup"], now: PlanBinding["backup"]): string[] {
  const out: string[] = [];
  if (now.location !== confirmed.location || now.key !== confirmed.key)
    out.push(
      `it is now ${now.key} in ${now.location}, the plan was confirmed for ${confirmed.key} in ${confirmed.location}`,
    );
  if (now.size !== confirmed.size)
    out.push(`its size is now ${now.size} bytes, the plan was confirmed for ${confirmed.size} bytes`);
  if (confirmed.etag !== null && now.etag !== confirmed.etag)
    out.push(`its etag is now ${short(now.etag)}, the plan was confirmed for ${short(confirmed.etag)}`);
  if (confirmed.sha256 !== null && now.sha256 !== null && now.sha256 !== confirmed.sha256)
    out.push(`its sha256 is now ${now.sha256}, the plan was confirmed for ${confirmed.sha256}`);
  return out;
}

export function backupChangedMessage(differences: string[]): string {
  return `The backup in the bucket changed since the plan you confirmed was made: ${differences.join("; ")}. Nothing was restored from it: plan the restore again (Restore → New restore) to review what is there now.`;
}

/**
 * Why a run may not go on with the plan rebuilt now, or null. The target must be the one
 * confirmed. So must the backup, until this run downloaded it: from then on the run restores
 * its own copy (whose sha256 the download checked), whatever the bucket holds later.
 */
export function bindingProblem(confirmed: PlanBinding, now: PlanBinding, opts: { downloaded: boolean }): string | null {
  const t0 = confirmed.target;
  const t1 = now.target;
  if (t0.host !== t1.host || t0.port !== t1.port || t0.database !== t1.database) {
    return `The target's connection changed since the plan you confirmed was made: it was ${t0.database} on ${t0.host}:${t0.port}, it is now ${t1.database} on ${t1.host}:${t1.port}. Change the database back in Settings → Databases to continue this run, or cancel it and plan the restore again.`;
  }
  if (opts.downloaded) return null;
  const differences = backupDifferences(confirmed.backup, now.backup);
  return differences.length > 0 ? backupChangedMessage(differences) : null;
}
