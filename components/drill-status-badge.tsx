import { Badge } from "@/components/ui/badges";

export function DrillStatusBadge({ status }: { status: "up_to_date" | "needs_redrill" | "never_drilled" }) {
  if (status === "up_to_date")
    return (
      <Badge kind="good" testId="drill-status">
        ✓ drilled
      </Badge>
    );
  if (status === "needs_redrill")
    return (
      <Badge kind="warn" testId="drill-status">
        ▲ needs re-drill
      </Badge>
    );
  return (
    <Badge kind="neutral" testId="drill-status">
      ○ never drilled
    </Badge>
  );
}
