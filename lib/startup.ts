import { env, EnvError, type Env } from "@/lib/env";
import { createPrismaClient } from "@/prisma/client";
import { ensureAdmin } from "@/prisma/bootstrap";

// Imported once by instrumentation.ts when the Node server starts.

function checkedEnv(): Env {
  try {
    return env();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function bootstrapAdmin(e: Env) {
  if (!e.LIFEBOAT_ADMIN_EMAIL || !e.LIFEBOAT_ADMIN_PASSWORD) return;
  const prisma = createPrismaClient(e.LIFEBOAT_DATABASE_URL);
  try {
    const result = await ensureAdmin(prisma, {
      email: e.LIFEBOAT_ADMIN_EMAIL,
      password: e.LIFEBOAT_ADMIN_PASSWORD,
      name: "Administrator",
    });
    if (result === "created") console.log(`[lifeboat] created the first admin ${e.LIFEBOAT_ADMIN_EMAIL}`);
  } finally {
    await prisma.$disconnect();
  }
}

const e = checkedEnv();
// Passfiles a killed console left in its private folder hold database passwords: gone first.
const { sweepSecretDirs } = await import("@/lib/postgres/private-dir");
const swept = await sweepSecretDirs();
if (swept.length > 0)
  console.log(`[lifeboat] removed ${swept.length} password file folder(s) left by a stopped console`);
await bootstrapAdmin(e);
// Table statistics for the query planner, when they are missing or out of date (cheap otherwise).
const { optimizeDatabase } = await import("@/lib/db");
await optimizeDatabase().catch((err: unknown) => console.error("[lifeboat] PRAGMA optimize failed:", err));
const { startBackgroundWork } = await import("@/lib/catalog/scheduler");
await startBackgroundWork(e.LIFEBOAT_SYNC_INTERVAL_MINUTES);
// Alerts: the RPO dead-man switch and delivery retries, on their own timers.
const { startAlertWork } = await import("@/lib/alerts/scheduler");
startAlertWork();
// Scheduled backups, after run recovery: a due time missed while the console was down runs now
// (and says it is late); backup runs the stopped console interrupted are resumed.
const { startBackupScheduler } = await import("@/lib/schedules/scheduler");
startBackupScheduler();
// Monthly tests: plans that come due start their test; kept scratch databases are dropped when
// their hours are up; records of tests a stopped console interrupted are closed as failed.
const { startMonthlyTestScheduler } = await import("@/lib/monthly-tests/scheduler");
startMonthlyTestScheduler();
// WAL archive health (pgBackRest info + pg_stat_archiver) on its own minute timer: a WAL RPO is minutes.
const { startArchiveHealthWork } = await import("@/lib/pitr/scheduler");
startArchiveHealthWork(e.LIFEBOAT_SYNC_INTERVAL_MINUTES);
// After recovery marked crashed runs interrupted (they keep their leftovers for a resume):
// downloads and scratch databases of runs that ended without a clean-up. In the background,
// because an unreachable server takes seconds to time out.
const { sweepLeftovers } = await import("@/lib/restores/leftovers");
void sweepLeftovers().catch((err: unknown) => console.error("[lifeboat] clean-up of ended runs failed:", err));
// Recovery instances (point-in-time restores on this host), after run recovery: one a stopped
// console was bringing up is listed as interrupted, never deleted silently; one whose keep time
// ended is stopped and its folder removed. Then every few minutes.
const { startRecoverySweep } = await import("@/lib/pitr/recovery");
void startRecoverySweep();
