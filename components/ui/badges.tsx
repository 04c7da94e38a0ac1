// States have words and colours, never colour alone: colour-blind on-call staff read the word.

// The tones are classes in app/globals.css (.badge-good …): badges repeat on every row of a list.
type Tone = "good" | "warn" | "bad" | "neutral" | "info";

export function Badge({
  kind,
  children,
  title,
  testId,
}: {
  kind: Tone;
  children: React.ReactNode;
  title?: string;
  testId?: string;
}) {
  return (
    // Absent props are left out, not passed as undefined: each would cost bytes in the RSC payload.
    <span
      className={`badge badge-${kind}`}
      {...(testId ? { "data-testid": testId } : {})}
      {...(title ? { title } : {})}
    >
      {children}
    </span>
  );
}

export function VerificationBadge({ state, title }: { state: string; title?: string | null }) {
  if (state === "verified")
    return (
      <Badge kind="good" title={title ?? undefined}>
        ✓ verified
      </Badge>
    );
  if (state === "failed")
    return (
      <Badge kind="bad" title={title ?? undefined}>
        ✗ failed
      </Badge>
    );
  return <Badge kind="neutral">○ not verified</Badge>;
}

export function FreshnessBadge({ state }: { state: "ok" | "warning" | "breached" }) {
  if (state === "ok")
    return (
      <Badge kind="good" testId="freshness-state">
        ● ok
      </Badge>
    );
  if (state === "warning")
    return (
      <Badge kind="warn" testId="freshness-state">
        ▲ warning
      </Badge>
    );
  return (
    <Badge kind="bad" testId="freshness-state">
      ■ breached
    </Badge>
  );
}

export function EnvironmentBadge({ environment }: { environment: string }) {
  if (environment === "production") return <Badge kind="bad">PRODUCTION</Badge>;
  if (environment === "staging") return <Badge kind="warn">staging</Badge>;
  return <Badge kind="info">{environment}</Badge>;
}

export function RunStatusBadge({ status }: { status: string }) {
  const map: Record<string, [Tone, string]> = {
    running: ["info", "◌ running"],
    queued: ["neutral", "… queued"],
    ok: ["good", "✓ ok"],
    passed: ["good", "✓ passed"],
    succeeded: ["good", "✓ succeeded"],
    error: ["bad", "✗ error"],
    failed: ["bad", "✗ failed"],
    interrupted: ["warn", "▲ interrupted"],
  };
  const [k, label] = map[status] ?? ["neutral", status];
  return <Badge kind={k}>{label}</Badge>;
}
