import { z } from "zod";
import type { StateDisplay } from "@/lib/runner/states";

// The lifecycle of a catalog sync (SyncRun), defined once for server and client.

export const SYNC_STATUSES = ["running", "ok", "error", "interrupted"] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export const syncStatusSchema = z.enum(SYNC_STATUSES);

export const SYNC_TRIGGERS = ["manual", "interval"] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];
export const syncTriggerSchema = z.enum(SYNC_TRIGGERS);

/** The last sync did not complete: the catalog of that location may be out of date. */
export const isFailedSync = (s: SyncStatus): boolean => s === "error" || s === "interrupted";

export const SYNC_STATUS_DISPLAY: Record<SyncStatus, StateDisplay> = {
  running: { label: "running", tone: "info", symbol: "◌", meaning: "Listing the location now." },
  ok: { label: "ok", tone: "good", symbol: "✓", meaning: "The last sync listed the whole location." },
  error: { label: "error", tone: "bad", symbol: "✗", meaning: "The last sync failed; the catalog may be out of date." },
  interrupted: {
    label: "interrupted",
    tone: "warn",
    symbol: "▲",
    meaning: "The console stopped during the sync; run it again.",
  },
};
