"use client";

import { useState } from "react";

/** Copies a text (a backup key, a command) to the clipboard and says so for two seconds. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // Clipboard access needs a secure context (https or localhost) and the user's permission.
      setState("failed");
    }
    setTimeout(() => setState("idle"), 2000);
  }
  return (
    <button
      type="button"
      onClick={copy}
      aria-label={label}
      title={state === "failed" ? "The browser refused the clipboard: select the text instead." : label}
      className="no-print shrink-0 rounded p-0.5 text-xs text-slate-500 hover:bg-slate-200 hover:text-slate-900"
    >
      {state === "idle" ? (
        <svg viewBox="0 0 16 16" width="13" height="13" aria-hidden fill="none" stroke="currentColor" strokeWidth="1.5">
          <rect x="5.5" y="5.5" width="8.5" height="8.5" rx="1.5" />
          <path d="M10.5 5.5V3.5a1.5 1.5 0 0 0-1.5-1.5H3.5A1.5 1.5 0 0 0 2 3.5V9a1.5 1.5 0 0 0 1.5 1.5h2" />
        </svg>
      ) : (
        <span aria-hidden className="inline-block w-[13px] text-center leading-[13px]">
          {state === "copied" ? "✓" : "✗"}
        </span>
      )}
      <span className="sr-only" aria-live="polite">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy refused" : ""}
      </span>
    </button>
  );
}
