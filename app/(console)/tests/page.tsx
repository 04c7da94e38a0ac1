import type { Metadata } from "next";
import { NotBuilt } from "@/components/not-built";
import { requirePageUser } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Monthly tests" };

export default async function Page() {
  await requirePageUser();
  return (
    <NotBuilt
      title="Monthly tests"
      what="This area will record each month's backup test per database, with measured results and sign-offs."
    />
  );
}
