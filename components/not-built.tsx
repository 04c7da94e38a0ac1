import { PageHeader } from "@/components/ui/page-header";

/** For areas that do not exist yet: say so plainly, link to nothing. */
export function NotBuilt({ title, what }: { title: string; what: string }) {
  return (
    <>
      <PageHeader title={title} />
      <div
        data-testid="not-built"
        className="rounded-lg border border-amber-300 bg-amber-50 p-5 text-sm text-amber-900"
      >
        <p className="font-semibold">Not built yet.</p>
        <p className="mt-1">{what}</p>
        <p className="mt-2">Until it is, follow your paper runbook for this.</p>
      </div>
    </>
  );
}
