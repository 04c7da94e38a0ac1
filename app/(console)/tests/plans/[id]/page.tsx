import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { EnvironmentBadge } from "@/components/ui/badges";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { testPlanForForm } from "@/lib/monthly-tests/plan-queries";
import { RunTestButton } from "../../run-test-button";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "Test plan" };
export const dynamic = "force-dynamic";

export default async function TestPlanPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const { database, plan } = await testPlanForForm(id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <>
      <PageHeader
        title={`Test plan of ${database.name}`}
        description={
          <>
            <Link href="/tests/plans" className="text-sky-700 hover:underline">
              Test plans
            </Link>{" "}
            › {database.name} <EnvironmentBadge environment={database.environment} />
          </>
        }
        actions={
          hasRole(user.role, "operator") ? (
            <RunTestButton databaseId={database.id} databaseName={database.name} />
          ) : undefined
        }
      />
      <Card>
        <PlanForm
          databaseId={database.id}
          databaseName={database.name}
          plan={plan}
          canEdit={hasRole(user.role, "admin")}
        />
      </Card>
    </>
  );
}
