"use client";

import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatDuration } from "@/lib/format/time";
import { AXIS_LABEL, AXIS_TICK, ChartFrame, shortDate, tableClass } from "./chart-frame";

export type DrillPoint = {
  id: string;
  closedAt: string | null;
  scheduledAt: string;
  totalMs: number;
  rtoMinutes: number | null;
  outcome: string | null;
};

const OUTCOME_COLOUR: Record<string, string> = { met: "#047857", missed: "#dc2626", incomplete: "#b45309" };
const OUTCOME_WORD: Record<string, string> = { met: "met the RTO", missed: "missed the RTO", incomplete: "incomplete" };

/** One scenario's closed drills: the measured total of each against the RTO at the time. */
export function DrillTotalsChart({ scenario, drills }: { scenario: string; drills: DrillPoint[] }) {
  const data = drills.map((d) => ({
    id: d.id,
    date: d.closedAt ?? d.scheduledAt,
    total: Math.round((d.totalMs / 60_000) * 10) / 10,
    rto: d.rtoMinutes,
    outcome: d.outcome ?? "missed",
  }));
  const withYear = new Set(data.map((d) => d.date.slice(0, 4))).size > 1;
  const last = data.at(-1);
  return (
    <ChartFrame
      testId="drill-totals-chart"
      title={`${scenario}: drill totals`}
      summary={
        last
          ? `${data.length} closed drill${data.length === 1 ? "" : "s"}; the last took ${last.total} min${last.rto !== null ? ` against an RTO of ${last.rto} min` : ""}`
          : "no closed drill"
      }
      chart={
        <ResponsiveContainer width="100%" height={220}>
          <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 22, left: 4 }}>
            <CartesianGrid stroke="#e2e8f0" vertical={false} />
            <XAxis
              dataKey="date"
              tickFormatter={(v: string) => shortDate(v, withYear)}
              tick={AXIS_TICK}
              label={{ value: "Drill closed (UTC)", position: "insideBottom", offset: -14, ...AXIS_LABEL }}
            />
            <YAxis
              tick={AXIS_TICK}
              width={44}
              allowDecimals={false}
              domain={[0, (max: number) => Math.ceil(Math.max(max, ...data.map((d) => d.rto ?? 0)) * 1.1)]}
              label={{ value: "Minutes", angle: -90, position: "insideLeft", offset: 10, ...AXIS_LABEL }}
            />
            <Tooltip
              contentStyle={{ fontSize: 12, padding: "4px 8px" }}
              labelFormatter={(v) => `Drill closed ${shortDate(String(v), true)}`}
              formatter={(value, name) => [`${String(value)} min`, name]}
            />
            <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
            <Line
              name="RTO (min)"
              dataKey="rto"
              stroke="#dc2626"
              strokeDasharray="5 4"
              dot={false}
              type="stepAfter"
              isAnimationActive={false}
            />
            {/* The current RTO across the whole chart (the line above only joins drills, so one drill alone shows none). */}
            {last?.rto != null && (
              <ReferenceLine
                y={last.rto}
                stroke="#dc2626"
                strokeDasharray="5 4"
                ifOverflow="extendDomain"
                label={{ value: `RTO ${last.rto} min`, position: "insideTopRight", fontSize: 11, fill: "#b91c1c" }}
              />
            )}
            <Line
              name="Drill total (min)"
              dataKey="total"
              stroke="#0369a1"
              strokeWidth={2}
              isAnimationActive={false}
              dot={(p: { cx?: number; cy?: number; index?: number; payload?: { outcome: string } }) => (
                <circle
                  key={p.index}
                  cx={p.cx}
                  cy={p.cy}
                  r={4.5}
                  fill={OUTCOME_COLOUR[p.payload?.outcome ?? "missed"] ?? "#dc2626"}
                  stroke="white"
                  strokeWidth={1.5}
                />
              )}
            />
          </ComposedChart>
        </ResponsiveContainer>
      }
      table={
        <table className={tableClass}>
          <caption className="sr-only">{scenario}: drill totals against the RTO</caption>
          <thead>
            <tr>
              <th scope="col">Closed (UTC)</th>
              <th scope="col" className="text-right">
                Total
              </th>
              <th scope="col" className="text-right">
                RTO
              </th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody className="tabular">
            {drills.map((d) => (
              <tr key={d.id}>
                <td>{(d.closedAt ?? d.scheduledAt).slice(0, 16).replace("T", " ")}</td>
                <td className="text-right">{formatDuration(d.totalMs / 1000)}</td>
                <td className="text-right">{d.rtoMinutes ?? "?"} min</td>
                <td>{OUTCOME_WORD[d.outcome ?? ""] ?? d.outcome ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
