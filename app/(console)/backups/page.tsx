import type { Metadata } from "next";
import { NotBuilt } from "@/components/not-built";
import { requirePageUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Backups" };

export default async function Page() {
  await requirePageUser();
  return <NotBuilt title="Backups" what="This area will list every backup across S3, Azure Blob, Google Cloud Storage and local folders, with freshness, retention class and verification." />;
}
