import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { getRestoreRun } from "@/lib/restores/queries";
import { scenarioById } from "@/lib/scenarios/registry";
import { db } from "@/lib/db";
import { typedConfirmationOf } from "@/lib/restores/typed-confirmation";
import { isBackupRun } from "@/lib/backups/backup-run-kind";
import { isMonthlyTestRun } from "@/lib/monthly-tests/run-kind";
import { RunPanel } from "./run-panel";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const view = await getRestoreRun(id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const scenario = scenarioById(view.run.scenarioId);
  const backupRun = isBackupRun(view.run.scenarioId);
  const monthlyTest = isMonthlyTestRun(view.run.scenarioId);
  const database = await db.database.findUnique({
    where: { id: view.run.databaseId },
    select: { name: true, environment: true, dbName: true, host: true, port: true, rtoCorruptionMinutes: true },
  });
  // A monthly test's record (filled in as the steps run; signed on its own page).
  const testRecord = monthlyTest
    ? await db.backupTest.findUnique({ where: { runId: view.run.id }, select: { id: true } })
    : null;
  const rtoMinutes = monthlyTest
    ? (database?.rtoCorruptionMinutes ?? null)
    : scenario
      ? ((
          (await db.database.findUnique({
            where: { id: view.run.databaseId },
            select: { [scenario.meta.rto]: true },
          })) as Record<string, number> | null
        )?.[scenario.meta.rto] ?? null)
      : null;
  return (
    <>
      <PageHeader
        title={
          monthlyTest
            ? `Monthly test of ${view.run.databaseName}`
            : backupRun
              ? `Backup of ${view.run.databaseName}`
              : `${scenario?.meta.title ?? view.run.scenarioId}: ${view.run.databaseName}`
        }
        description={
          monthlyTest ? (
            <>
              <Link href="/tests" className="text-sky-700 hover:underline">
                Monthly tests
              </Link>{" "}
              › test run {view.run.id}
              {testRecord && (
                <>
                  {" · "}
                  <Link
                    href={`/tests/${testRecord.id}`}
                    className="text-sky-700 hover:underline"
                    data-testid="run-test-record"
                  >
                    the test&apos;s record
                  </Link>
                </>
              )}
            </>
          ) : backupRun ? (
            <>
              <Link href={`/databases/${view.run.databaseId}`} className="text-sky-700 hover:underline">
                {view.run.databaseName}
              </Link>{" "}
              › backup run {view.run.id}
            </>
          ) : (
            <>
              <Link href="/restores" className="text-sky-700 hover:underline">
                Restore
              </Link>{" "}
              › run {view.run.id} · runbook v{view.run.scenarioVersion}
            </>
          )
        }
      />
      <RunPanel
        initial={view}
        canOperate={hasRole(user.role, "operator")}
        role={user.role}
        email={user.email}
        targetDbName={database?.dbName ?? ""}
        confirmationText={database ? typedConfirmationOf(database) : ""}
        targetServer={database ? `${database.host}:${database.port}` : ""}
        rtoMinutes={rtoMinutes}
        backupRun={backupRun}
        monthlyTest={monthlyTest}
      />
    </>
  );
}
