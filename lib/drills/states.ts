import { z } from "zod";
import type { StateDisplay } from "@/lib/runner/states";

// The lifecycle of a drill, defined once for server and client.

export const DRILL_STATUSES = ["scheduled", "running", "closed"] as const;
export type DrillStatus = (typeof DRILL_STATUSES)[number];
export const drillStatusSchema = z.enum(DRILL_STATUSES);

export const DRILL_OUTCOMES = ["met", "missed", "incomplete"] as const;
export type DrillOutcome = (typeof DRILL_OUTCOMES)[number];
export const drillOutcomeSchema = z.enum(DRILL_OUTCOMES);

/** DrillInterval.source: a stopwatch stretch, or a restore run's measured time. */
export const DRILL_INTERVAL_SOURCES = ["stopwatch", "run"] as const;
export type DrillIntervalSource = (typeof DRILL_INTERVAL_SOURCES)[number];

export const DRILL_STATUS_DISPLAY: Record<DrillStatus, StateDisplay> = {
  scheduled: { label: "scheduled", tone: "neutral", symbol: "○", meaning: "Not started yet." },
  running: { label: "running", tone: "info", symbol: "◌", meaning: "The drill is under way." },
  closed: { label: "closed", tone: "neutral", symbol: "■", meaning: "Finished; its outcome is recorded." },
};

export const DRILL_OUTCOME_DISPLAY: Record<DrillOutcome, StateDisplay> = {
  met: { label: "met the RTO", tone: "good", symbol: "✓", meaning: "Every step was done within the scenario's RTO." },
  missed: {
    label: "missed the RTO",
    tone: "bad",
    symbol: "✗",
    meaning: "Every step was done or skipped, and the drill took longer than the RTO.",
  },
  incomplete: {
    label: "incomplete",
    tone: "bad",
    symbol: "✗",
    meaning: "Steps were neither done nor skipped with a reason: the drill proves nothing about the RTO.",
  },
};

/** Drill.participants: a JSON array of e-mails (written by the drill's scheduling). */
export const drillParticipantsSchema = z.array(z.string());
