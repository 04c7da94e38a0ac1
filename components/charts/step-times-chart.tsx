"use client";

import {
  Bar,
  CartesianGrid,
  Cell,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatDuration } from "@/lib/format/time";
import { AXIS_LABEL, AXIS_TICK, ChartFrame, tableClass } from "./chart-frame";

export type StepTime = { label: string; ms: number; state: string };

/**
 * A drill's steps: each step's time (bars) and the running total (line) against the RTO, so
 * the step where the RTO was crossed is visible.
 */
export function StepTimesChart({ steps, rtoMinutes }: { steps: StepTime[]; rtoMinutes: number | null }) {
  const totals = steps.reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s.ms], []);
  const sum = totals.at(-1) ?? 0;
  const data = steps.map((s, i) => ({
    n: String(i + 1),
    label: s.label,
    step: round(s.ms),
    total: round(totals[i] ?? 0),
    rto: rtoMinutes,
    state: s.state,
  }));
  const crossed = rtoMinutes === null ? undefined : data.find((d) => d.total > rtoMinutes);
  return (
    <ChartFrame
      testId="step-times-chart"
      title="Time per step and running total"
      summary={`${formatDuration(sum / 1000)} in all${rtoMinutes !== null ? `, RTO ${rtoMinutes} min${crossed ? `; crossed at step ${crossed.n}` : "; not crossed"}` : ""}`}
      chart={
        <ResponsiveContainer width="100%" height={240}>
          <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 22, left: 4 }}>
            <CartesianGrid stroke="#e2e8f0" vertical={false} />
            <XAxis
              dataKey="n"
              tick={AXIS_TICK}
              label={{ value: "Step", position: "insideBottom", offset: -14, ...AXIS_LABEL }}
            />
            <YAxis
              tick={AXIS_TICK}
              width={44}
              domain={[0, (max: number) => Math.ceil(Math.max(max, rtoMinutes ?? 0) * 1.1 * 10) / 10]}
              label={{ value: "Minutes", angle: -90, position: "insideLeft", offset: 10, ...AXIS_LABEL }}
            />
            <Tooltip
              contentStyle={{ fontSize: 12, padding: "4px 8px" }}
              labelFormatter={(_, payload) =>
                String((payload?.[0]?.payload as { label?: string } | undefined)?.label ?? "")
              }
              formatter={(value, name) => [`${String(value)} min`, name]}
            />
            <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
            <Bar name="Step time (min)" dataKey="step" fill="#0369a1" isAnimationActive={false}>
              {data.map((d) => (
                <Cell key={d.n} fill={d.state === "skipped" ? "#94a3b8" : "#0369a1"} />
              ))}
            </Bar>
            <Line
              name="Running total (min)"
              dataKey="total"
              stroke="#0f172a"
              strokeWidth={2}
              dot={{ r: 2.5 }}
              isAnimationActive={false}
            />
            {rtoMinutes !== null && (
              <Line
                name="RTO (min)"
                dataKey="rto"
                stroke="#dc2626"
                strokeDasharray="5 4"
                dot={false}
                isAnimationActive={false}
              />
            )}
          </ComposedChart>
        </ResponsiveContainer>
      }
      table={
        <table className={tableClass}>
          <caption className="sr-only">Time per step and running total</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">State</th>
              <th scope="col" className="text-right">
                Time
              </th>
              <th scope="col" className="text-right">
                Running total
              </th>
            </tr>
          </thead>
          <tbody className="tabular">
            {steps.map((s, i) => (
              <tr key={i}>
                <td>{s.label}</td>
                <td>{s.state.replace("_", " ")}</td>
                <td className="text-right">{formatDuration(s.ms / 1000)}</td>
                <td className="text-right">{formatDuration((totals[i] ?? 0) / 1000)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

const round = (ms: number) => Math.round((ms / 60_000) * 100) / 100;
