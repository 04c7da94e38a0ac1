import type { Metadata } from "next";
import { NotBuilt } from "@/components/not-built";
import { requirePageUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Restore" };

export default async function Page() {
  await requirePageUser();
  return <NotBuilt title="Restore" what="This area will hold the restore wizard for each disaster scenario, with a plan, typed confirmation and a live log." />;
}
