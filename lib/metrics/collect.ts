import "server-only";
import { db } from "@/lib/db";
import { ALERT_EVENTS } from "@/lib/alerts/events";
import { scenarioById } from "@/lib/scenarios/registry";
import { BACKUP_RUN_SCENARIO } from "@/lib/backups/backup-run-kind";
import type { RunStatus } from "@/lib/runner/states";
import { family, histogram, type Labels } from "@/lib/metrics/prometheus";

// Everything /metrics reports, read from Lifeboat's own database at scrape time (counters are
// counts of stored rows, so they survive a restart). Label values are names users typed:
// lib/metrics/prometheus.ts escapes them.

const RUN_BUCKETS = [30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 43_200] as const;
const ENDED: RunStatus[] = ["succeeded", "failed", "cancelled"];

/** A backup run of the runner, a restore run of a scenario, or something else (not reported). */
function runKind(scenarioId: string): "restore" | "backup" | null {
  if (scenarioById(scenarioId)) return "restore";
  if (scenarioId === BACKUP_RUN_SCENARIO) return "backup";
  return null;
}

function grouped(rows: { labels: Labels; value: number }[]): { labels: Labels; values: number[] }[] {
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const r of rows) {
    const key = JSON.stringify(r.labels);
    const g = groups.get(key) ?? { labels: r.labels, values: [] };
    g.values.push(r.value);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export async function collectMetrics(now = new Date()): Promise<string> {
  const databases = await db.database.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, rpoHours: true, _count: { select: { sources: true } } },
  });
  const ages: { labels: Labels; value: number }[] = [];
  for (const d of databases) {
    const newest = await db.backup.findFirst({
      where: { databaseId: d.id, vanishedAt: null, size: { gt: 0 }, verificationState: { not: "failed" } },
      orderBy: { takenAt: "desc" },
      select: { takenAt: true },
    });
    if (newest) ages.push({ labels: { database: d.name }, value: (now.getTime() - newest.takenAt.getTime()) / 1000 });
  }
  const [runs, verificationFailures, deliveryFailures, openIncidents] = await Promise.all([
    db.run.findMany({
      where: { status: { in: ENDED }, startedAt: { not: null }, finishedAt: { not: null } },
      select: { scenarioId: true, status: true, startedAt: true, finishedAt: true },
    }),
    db.verification.count({ where: { status: "failed" } }),
    db.alertDeliveryAttempt.count({ where: { ok: false } }),
    db.alertIncident.groupBy({ by: ["event"], where: { openKey: { not: null } }, _count: { _all: true } }),
  ]);
  const durations = {
    restore: [] as { labels: Labels; value: number }[],
    backup: [] as { labels: Labels; value: number }[],
  };
  for (const r of runs) {
    const kind = runKind(r.scenarioId);
    if (!kind || !r.startedAt || !r.finishedAt) continue;
    const seconds = (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000;
    const labels: Labels = kind === "restore" ? { scenario: r.scenarioId, status: r.status } : { status: r.status };
    durations[kind].push({ labels, value: seconds });
  }
  const open = new Map(openIncidents.map((o) => [o.event, o._count._all]));
  return [
    family(
      "lifeboat_newest_good_backup_age_seconds",
      "Age of the newest good backup (present, not empty, not failed verification) per database; absent when it has none.",
      "gauge",
      ages,
    ),
    family(
      "lifeboat_database_rpo_seconds",
      "Each database's recovery point objective.",
      "gauge",
      databases.map((d) => ({ labels: { database: d.name }, value: d.rpoHours * 3600 })),
    ),
    histogram(
      "lifeboat_backup_run_duration_seconds",
      "Duration of ended backup runs, by outcome.",
      RUN_BUCKETS,
      grouped(durations.backup),
    ),
    histogram(
      "lifeboat_restore_run_duration_seconds",
      "Duration of ended restore runs, by scenario and outcome.",
      RUN_BUCKETS,
      grouped(durations.restore),
    ),
    family("lifeboat_verification_failures_total", "Backup verifications that failed.", "counter", [
      { value: verificationFailures },
    ]),
    family(
      "lifeboat_alert_delivery_failures_total",
      "Alert delivery attempts that failed (each retry counts).",
      "counter",
      [{ value: deliveryFailures }],
    ),
    family(
      "lifeboat_open_incidents",
      "Alert incidents open now, by event.",
      "gauge",
      ALERT_EVENTS.map((event) => ({ labels: { event }, value: open.get(event) ?? 0 })),
    ),
  ].join("");
}
