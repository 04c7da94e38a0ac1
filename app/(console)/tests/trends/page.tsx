import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { TestTrendsCharts } from "@/components/charts/test-trends-chart";
import { requirePageUser } from "@/lib/auth/guard";
import { testTrends } from "@/lib/monthly-tests/record-queries";

export const metadata: Metadata = { title: "Monthly test trends" };
export const dynamic = "force-dynamic";

export default async function TestTrendsPage() {
  await requirePageUser();
  const trends = await testTrends();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/tests" className="text-sky-700 hover:underline">
          ← Monthly tests
        </Link>
      </p>
      <PageHeader
        title="Monthly test trends"
        description="Per database and month (the last 12, UTC): the size of the backup each test restored, and how long the restore took against the RTO. A month with several tests shows its last."
      />
      {trends.length === 0 ? (
        <EmptyState title="No monthly test has measured anything yet">
          Give a database a test plan and run it; its numbers appear here.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {trends.map((d) => (
            <Card key={d.databaseId} title={d.name}>
              <TestTrendsCharts name={d.name} points={d.points} />
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
