import type { Metadata } from "next";
import { NotBuilt } from "@/components/not-built";
import { requirePageUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Runbooks" };

export default async function Page() {
  await requirePageUser();
  return <NotBuilt title="Runbooks" what="This area will show each disaster scenario's versioned runbook, printable, with the emergency contacts." />;
}
