import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { Badge, EnvironmentBadge } from "@/components/ui/badges";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { requirePageUser } from "@/lib/auth/guard";
import { retentionOverview } from "@/lib/retention/queries";

export const metadata: Metadata = { title: "Retention" };

export default async function RetentionIndexPage() {
  await requirePageUser();
  const rows = await retentionOverview();
  return (
    <>
      <PageHeader
        title="Retention"
        description={
          <>
            <Link href="/backups" className="text-sky-700 hover:underline">
              Backups
            </Link>{" "}
            › Retention. What each database&apos;s GFS policy would delete now, and whether it is safe to. Nothing is
            deleted from here: open a database to read its preview.
          </>
        }
      />
      {rows.length === 0 ? (
        <EmptyState title="No databases yet">
          Add one under Settings → Databases, with the key patterns of its backups.
        </EmptyState>
      ) : (
        <Table label="Retention per database" testId="retention-overview">
          <THead>
            <Th>Database</Th>
            <Th numeric>Backups</Th>
            <Th numeric>Past retention</Th>
            <Th>Verdict</Th>
          </THead>
          <tbody>
            {rows.map((r) => (
              <Tr key={r.id}>
                <Td>
                  <Link href={`/backups/retention/${r.id}`} className="font-medium text-sky-700 hover:underline">
                    {r.name}
                  </Link>{" "}
                  <EnvironmentBadge environment={r.environment} />
                </Td>
                <Td numeric>{r.backups}</Td>
                <Td numeric>{r.wouldDelete}</Td>
                <Td>
                  {r.refused ? (
                    <Badge kind="bad" title={r.firstRefusal ?? undefined}>
                      ✗ refused for safety
                    </Badge>
                  ) : r.toDelete > 0 ? (
                    <Badge kind="warn">▲ {r.toDelete} to delete</Badge>
                  ) : (
                    <Badge kind="good">✓ nothing to delete</Badge>
                  )}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
