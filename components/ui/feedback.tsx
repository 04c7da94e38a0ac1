import type { ActionFeedback } from "@/components/ui/use-server-action";

const TONE = {
  ok: "border-emerald-200 bg-emerald-50 text-emerald-900",
  error: "border-red-200 bg-red-50 text-red-800",
} as const;

/** The outcome of an action: an alert when it failed (read out at once), a status when it worked. */
export function Feedback({
  feedback,
  testId,
  className = "",
}: {
  feedback: Pick<ActionFeedback, "kind" | "text"> | null;
  testId?: string;
  className?: string;
}) {
  if (!feedback) return null;
  return (
    <p
      role={feedback.kind === "error" ? "alert" : "status"}
      data-testid={testId}
      className={`rounded-md border p-3 text-sm ${TONE[feedback.kind]} ${className}`}
    >
      {feedback.text}
    </p>
  );
}
