// States have words and colours, never colour alone (UX.md).

const tone = {
  good: "border-emerald-300 bg-emerald-50 text-emerald-800",
  warn: "border-amber-300 bg-amber-50 text-amber-900",
  bad: "border-red-300 bg-red-50 text-red-800",
  neutral: "border-slate-300 bg-slate-50 text-slate-700",
  info: "border-sky-300 bg-sky-50 text-sky-800",
} as const;

export function Badge({ kind, children, title, testId }: { kind: keyof typeof tone; children: React.ReactNode; title?: string; testId?: string }) {
  return (
    <span data-testid={testId} title={title} className={`inline-flex items-center gap-1 whitespace-nowrap rounded border px-1.5 py-0.5 text-xs font-medium ${tone[kind]}`}>
      {children}
    </span>
  );
}

export function VerificationBadge({ state, title }: { state: string; title?: string | null }) {
  if (state === "verified") return <Badge kind="good" title={title ?? undefined}>✓ verified</Badge>;
  if (state === "failed") return <Badge kind="bad" title={title ?? undefined}>✗ failed</Badge>;
  return <Badge kind="neutral">○ not verified</Badge>;
}

export function FreshnessBadge({ state }: { state: "ok" | "warning" | "breached" }) {
  if (state === "ok") return <Badge kind="good" testId="freshness-state">● ok</Badge>;
  if (state === "warning") return <Badge kind="warn" testId="freshness-state">▲ warning</Badge>;
  return <Badge kind="bad" testId="freshness-state">■ breached</Badge>;
}

export function EnvironmentBadge({ environment }: { environment: string }) {
  if (environment === "production") return <Badge kind="bad">PRODUCTION</Badge>;
  if (environment === "staging") return <Badge kind="warn">staging</Badge>;
  return <Badge kind="info">{environment}</Badge>;
}

export function RunStatusBadge({ status }: { status: string }) {
  const map: Record<string, [keyof typeof tone, string]> = {
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
