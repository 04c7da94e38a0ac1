"use client";

import {
  Bar,
  BarChart,
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
import { formatBytes } from "@/lib/format/bytes";
import { formatDuration } from "@/lib/format/time";
import { AXIS_LABEL, AXIS_TICK, ChartFrame, tableClass } from "./chart-frame";

export type TrendPoint = {
  month: string;
  status: string;
  sizeBytes: number | null;
  restoreMs: number | null;
  rtoMinutes: number;
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const monthTick = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1] ?? m} ${m.slice(2, 4)}`;

/** One database's monthly tests: the tested backup's size, and the restore time against the RTO. */
export function TestTrendsCharts({ name, points }: { name: string; points: TrendPoint[] }) {
  const sized = points.filter((p) => p.sizeBytes !== null);
  const maxBytes = Math.max(1, ...sized.map((p) => p.sizeBytes ?? 0));
  // One unit for the whole axis, chosen from the largest size.
  const units: [string, number][] = [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
    ["B", 1],
  ];
  const [unit, div] = units.find(([, d]) => maxBytes >= d * 2) ?? ["B", 1];
  const data = points.map((p) => ({
    month: p.month,
    size: p.sizeBytes === null ? null : Math.round((p.sizeBytes / div) * 10) / 10,
    restore: p.restoreMs === null ? null : Math.round((p.restoreMs / 60_000) * 100) / 100,
    rto: p.rtoMinutes,
  }));
  const last = points.at(-1);
  const over = points.filter((p) => p.restoreMs !== null && p.restoreMs > p.rtoMinutes * 60_000).length;
  const numbers = (
    <table className={tableClass}>
      <caption className="sr-only">{name}: monthly test numbers</caption>
      <thead>
        <tr>
          <th scope="col">Month</th>
          <th scope="col">Test</th>
          <th scope="col" className="text-right">
            Backup size
          </th>
          <th scope="col" className="text-right">
            Restore time
          </th>
          <th scope="col" className="text-right">
            RTO
          </th>
        </tr>
      </thead>
      <tbody className="tabular">
        {points.map((p) => (
          <tr key={p.month}>
            <td>{p.month}</td>
            <td>{p.status}</td>
            <td className="text-right">{p.sizeBytes === null ? "—" : formatBytes(p.sizeBytes)}</td>
            <td className="text-right">{p.restoreMs === null ? "—" : formatDuration(p.restoreMs / 1000)}</td>
            <td className="text-right">{p.rtoMinutes} min</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <div className="grid min-w-0 gap-4 lg:grid-cols-2">
      <ChartFrame
        testId="trend-size-chart"
        title={`${name}: backup size`}
        summary={
          last?.sizeBytes != null
            ? `the last tested backup was ${formatBytes(last.sizeBytes)} (${last.month})`
            : "no size measured"
        }
        chart={
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
              <CartesianGrid stroke="#e2e8f0" vertical={false} />
              <XAxis dataKey="month" tickFormatter={monthTick} tick={AXIS_TICK} />
              <YAxis
                tick={AXIS_TICK}
                width={48}
                label={{ value: unit, angle: -90, position: "insideLeft", offset: 10, ...AXIS_LABEL }}
              />
              <Tooltip
                contentStyle={{ fontSize: 12, padding: "4px 8px" }}
                formatter={(v) => [`${String(v)} ${unit}`, "Backup size"]}
              />
              <Bar dataKey="size" name={`Backup size (${unit})`} fill="#0369a1" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        }
        table={numbers}
      />
      <ChartFrame
        testId="trend-restore-chart"
        title={`${name}: restore time against the RTO`}
        summary={
          last?.restoreMs != null
            ? `the last restore took ${formatDuration(last.restoreMs / 1000)} against an RTO of ${last.rtoMinutes} min; ${over === 0 ? "none" : over} over the RTO`
            : "no restore time measured"
        }
        chart={
          <ResponsiveContainer width="100%" height={200}>
            <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
              <CartesianGrid stroke="#e2e8f0" vertical={false} />
              <XAxis dataKey="month" tickFormatter={monthTick} tick={AXIS_TICK} />
              <YAxis
                tick={AXIS_TICK}
                width={48}
                domain={[0, (max: number) => Math.ceil(Math.max(max, ...data.map((d) => d.rto)) * 1.1)]}
                label={{ value: "Minutes", angle: -90, position: "insideLeft", offset: 10, ...AXIS_LABEL }}
              />
              <Tooltip
                contentStyle={{ fontSize: 12, padding: "4px 8px" }}
                formatter={(v, n) => [`${String(v)} min`, n]}
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
              {last && (
                <ReferenceLine y={last.rtoMinutes} stroke="#dc2626" strokeDasharray="5 4" ifOverflow="extendDomain" />
              )}
              <Line
                name="Restore time (min)"
                dataKey="restore"
                stroke="#0369a1"
                strokeWidth={2}
                connectNulls
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        }
        table={numbers}
      />
    </div>
  );
}
