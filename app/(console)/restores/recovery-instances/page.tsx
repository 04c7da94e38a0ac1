import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { requirePageUser } from "@/lib/auth/guard";
import { recoveryInstancesForUser } from "@/lib/pitr/recovery-queries";
import { RecoveryInstancesList } from "./recovery-instances-list";

export const metadata: Metadata = { title: "Recovery instances" };

export default async function RecoveryInstancesPage() {
  await requirePageUser();
  const { instances, canManage } = await recoveryInstancesForUser();
  return (
    <>
      <PageHeader
        title="Recovery instances"
        description={
          <>
            PostgreSQL instances started on this host by point-in-time restores, recovered to a moment from the WAL
            archive. Each listens on 127.0.0.1 only and never archives into production&apos;s repository. A restore run
            stops and removes its instance when it is done, unless it was kept for inspection;{" "}
            <Link href="/restores" className="text-sky-700 hover:underline">
              back to restores
            </Link>
            .
          </>
        }
      />
      {instances.length === 0 ? (
        <EmptyState title="No recovery instances">
          A point-in-time restore starts one while it runs; kept and interrupted ones are listed here until they are
          removed.
        </EmptyState>
      ) : (
        <RecoveryInstancesList instances={instances} canManage={canManage} />
      )}
    </>
  );
}
