import type { Metadata } from "next";
import { NotBuilt } from "@/components/not-built";
import { requirePageUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Drills" };

export default async function Page() {
  await requirePageUser();
  return <NotBuilt title="Drills" what="This area will schedule DR drills and time each step against the scenario's RTO." />;
}
