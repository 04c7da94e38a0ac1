import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { EnvironmentBadge } from "@/components/ui/badges";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { Forbidden } from "@/components/forbidden";
import { NotFoundError } from "@/lib/errors";
import { databaseForNewPlan } from "@/lib/monthly-tests/plan-queries";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "New test plan" };
export const dynamic = "force-dynamic";

export default async function NewTestPlanPage({ searchParams }: { searchParams: Promise<{ database?: string }> }) {
  const user = await requirePageUser();
  if (!hasRole(user.role, "admin")) return <Forbidden title="New test plan" needed="admin" actual={user.role} />;
  const { database: databaseId } = await searchParams;
  if (!databaseId) redirect("/tests/plans");
  const database = await databaseForNewPlan(databaseId).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  if (database.testPlan) redirect(`/tests/plans/${database.testPlan.id}`);
  return (
    <>
      <PageHeader
        title={`New test plan for ${database.name}`}
        description={
          <>
            <Link href="/tests/plans" className="text-sky-700 hover:underline">
              Test plans
            </Link>{" "}
            › new · <EnvironmentBadge environment={database.environment} />
          </>
        }
      />
      <Card>
        <PlanForm databaseId={database.id} databaseName={database.name} plan={null} canEdit />
      </Card>
    </>
  );
}
