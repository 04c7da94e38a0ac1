import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { Forbidden } from "@/components/forbidden";
import { requirePageUser } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { listApiTokens } from "@/lib/api-tokens/queries";
import { TokensManager } from "./tokens-manager";

export const metadata: Metadata = { title: "API tokens" };

export default async function ApiTokensPage() {
  const me = await requirePageUser();
  if (!hasRole(me.role, "admin")) return <Forbidden title="API tokens" needed="admin" actual={me.role} />;
  const [tokens, databases] = await Promise.all([
    listApiTokens(),
    db.database.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  return (
    <>
      <PageHeader
        title="API tokens"
        description={
          <>
            <Link href="/settings" className="text-sky-700 hover:underline">
              Settings
            </Link>{" "}
            › API tokens. A pipeline takes a labelled backup (e.g. before a migration) with{" "}
            <code className="font-mono text-xs">POST /api/v1/databases/&lt;name&gt;/backups</code> and a token from
            here; the README has a curl example.
          </>
        }
      />
      <TokensManager tokens={tokens} databases={databases} />
    </>
  );
}
