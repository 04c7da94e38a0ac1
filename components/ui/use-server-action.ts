"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState, useTransition } from "react";

/** What every server action returns (lib/actions): the data, or a message safe to show. */
export type ActionOutcome<T> =
  { ok: true; data: T } | { ok: false; error: string; issues?: { path: string; message: string }[] };

export type ActionFeedback = {
  kind: "ok" | "error";
  text: string;
  /** Field name (the zod path, e.g. "sources.0.patterns") → its message. */
  fields: Record<string, string>;
};

type RunOptions<T> = {
  /** Called with the data; a returned string is shown as the success message. */
  onSuccess?: (data: T) => string | void | Promise<string | void>;
  /** Reload the server components after the action (success or failure). */
  refresh?: boolean;
};

const UNREACHABLE =
  "The console did not answer: check the connection and try again. Nothing was changed unless the page says so after a reload.";

/**
 * The plumbing every form and button around a server action repeats: one transition, the error
 * (with per-field messages from zod), an optional success message and a refresh. A thrown error
 * (network gone, server restarted) becomes a message instead of breaking the page.
 */
export function useServerAction() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [feedback, setFeedback] = useState<ActionFeedback | null>(null);

  const run = useCallback(
    <T>(call: () => Promise<ActionOutcome<T>>, options: RunOptions<T> = {}) => {
      setFeedback(null);
      startTransition(async () => {
        let result: ActionOutcome<T>;
        try {
          result = await call();
        } catch {
          result = { ok: false, error: UNREACHABLE };
        }
        if (result.ok) {
          const text = await options.onSuccess?.(result.data);
          if (text) setFeedback({ kind: "ok", text, fields: {} });
        } else {
          setFeedback({
            kind: "error",
            text: result.error,
            fields: Object.fromEntries((result.issues ?? []).map((i) => [i.path, i.message])),
          });
        }
        if (options.refresh) router.refresh();
      });
    },
    [router],
  );

  const showError = useCallback((text: string) => setFeedback({ kind: "error", text, fields: {} }), []);
  const showOk = useCallback((text: string) => setFeedback({ kind: "ok", text, fields: {} }), []);
  const clear = useCallback(() => setFeedback(null), []);
  const error = feedback?.kind === "error" ? feedback : null;
  const fieldError = (name: string): string | undefined => error?.fields[name];

  return { pending, feedback, error, fieldError, run, showError, showOk, clear };
}
