import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { getDrill } from "@/lib/drills/queries";
import { DrillPanel } from "./drill-panel";
import { buttonClass } from "@/components/ui/button";

export const metadata: Metadata = { title: "Drill" };

export default async function DrillPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const drill = await getDrill((await params).id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <>
      <PageHeader
        title={`Drill: ${drill.scenarioTitle}`}
        description={
          <>
            <Link href="/drills" className="text-sky-700 hover:underline">
              Drills
            </Link>{" "}
            › runbook v{drill.scenarioVersion} on {drill.database?.name ?? "—"}
          </>
        }
        actions={
          <>
            <a href={`/api/drills/${drill.id}/ics`} className={buttonClass()}>
              Invitation (.ics)
            </a>
            <Link href={`/drills/${drill.id}/report`} className={buttonClass()}>
              Report
            </Link>
          </>
        }
      />
      <DrillPanel initial={drill} canOperate={hasRole(user.role, "operator")} />
    </>
  );
}
