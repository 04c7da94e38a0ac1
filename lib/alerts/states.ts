import type { StateDisplay } from "@/lib/runner/states";

// The lifecycle of one alert delivery (AlertDelivery.status), defined once.

export const DELIVERY_STATUSES = ["pending", "sending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_KINDS = ["alert", "resolved", "test"] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DELIVERY_STATUS_DISPLAY: Record<DeliveryStatus, StateDisplay> = {
  pending: {
    label: "waiting to send",
    tone: "neutral",
    symbol: "…",
    meaning: "Queued, or waiting for its next retry.",
  },
  sending: { label: "sending", tone: "info", symbol: "◌", meaning: "Being sent now." },
  delivered: { label: "delivered", tone: "good", symbol: "✓", meaning: "The receiver accepted it." },
  failed: {
    label: "failed",
    tone: "bad",
    symbol: "✗",
    meaning: "Every retry failed; check the channel's settings and send a test.",
  },
};
