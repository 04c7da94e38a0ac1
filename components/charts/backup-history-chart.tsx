"use client";

import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatBytes } from "@/lib/format/bytes";
import { AXIS_LABEL, AXIS_TICK, ChartFrame, shortDate, tableClass } from "./chart-frame";

export type BackupSizePoint = {
  id: string;
  key: string;
  size: number;
  takenAt: string;
  sizeAnomaly: string | null;
  verificationState: string;
  verificationMs: number | null;
};

const UNITS = [
  { div: 1, name: "B" },
  { div: 1024, name: "KiB" },
  { div: 1024 ** 2, name: "MiB" },
  { div: 1024 ** 3, name: "GiB" },
  { div: 1024 ** 4, name: "TiB" },
];

/** The unit that keeps the typical backup between 1 and 1024. */
function unitFor(sizes: number[]) {
  const sorted = [...sizes].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return [...UNITS].reverse().find((u) => median >= u.div) ?? UNITS[0]!;
}

/**
 * A database's backups over time: size (a dip or a jump stands out, and the catalog's size
 * anomalies and failed verifications are marked) and how long each one's last verification took.
 */
export function BackupHistoryChart({ database, backups }: { database: string; backups: BackupSizePoint[] }) {
  const unit = unitFor(backups.map((b) => b.size));
  const round = (n: number) => Math.round((n / unit.div) * 100) / 100;
  const data = backups.map((b) => ({
    t: Date.parse(b.takenAt),
    key: b.key,
    size: round(b.size),
    anomaly: b.sizeAnomaly ? round(b.size) : null,
    failed: b.verificationState === "failed" ? round(b.size) : null,
    verifySeconds: b.verificationMs === null ? null : Math.round(b.verificationMs / 100) / 10,
    note: b.sizeAnomaly,
  }));
  const anomalies = backups.filter((b) => b.sizeAnomaly).length;
  const hasVerify = data.some((d) => d.verifySeconds !== null);
  const span = data.length > 1 ? data.at(-1)!.t - data[0]!.t : 0;
  const withYear = span > 300 * 86_400_000 || new Set(backups.map((b) => b.takenAt.slice(0, 4))).size > 1;
  return (
    <ChartFrame
      testId="backup-size-chart"
      title={`${database}: backup size over time`}
      summary={`${backups.length} backups; ${anomalies === 0 ? "no size anomaly" : `${anomalies} size ${anomalies === 1 ? "anomaly" : "anomalies"} (red)`}`}
      chart={
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart data={data} margin={{ top: 8, right: hasVerify ? 4 : 12, bottom: 22, left: 4 }}>
            <CartesianGrid stroke="#e2e8f0" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={["dataMin", "dataMax"]}
              tickFormatter={(v: number) => shortDate(v, withYear)}
              tick={AXIS_TICK}
              minTickGap={24}
              label={{ value: "Backup taken (UTC)", position: "insideBottom", offset: -14, ...AXIS_LABEL }}
            />
            <YAxis
              yAxisId="size"
              tick={AXIS_TICK}
              width={52}
              domain={[0, "auto"]}
              label={{ value: `Size (${unit.name})`, angle: -90, position: "insideLeft", offset: 10, ...AXIS_LABEL }}
            />
            {hasVerify && (
              <YAxis
                yAxisId="seconds"
                orientation="right"
                tick={AXIS_TICK}
                width={44}
                domain={[0, "auto"]}
                label={{ value: "Verification (s)", angle: 90, position: "insideRight", offset: 10, ...AXIS_LABEL }}
              />
            )}
            <Tooltip
              contentStyle={{ fontSize: 12, padding: "4px 8px" }}
              labelFormatter={(v, payload) => {
                const p = payload?.[0]?.payload as { key?: string; note?: string | null } | undefined;
                return `${new Date(Number(v)).toISOString().slice(0, 16).replace("T", " ")} UTC · ${p?.key ?? ""}${p?.note ? ` · ▲ ${p.note}` : ""}`;
              }}
              formatter={(value, name) => [
                name === "Verification time (s)" ? `${String(value)} s` : `${String(value)} ${unit.name}`,
                name,
              ]}
            />
            <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
            <Line
              yAxisId="size"
              name={`Backup size (${unit.name})`}
              dataKey="size"
              stroke="#0369a1"
              strokeWidth={1.5}
              dot={{ r: 1.5 }}
              isAnimationActive={false}
            />
            <Line
              yAxisId="size"
              name="Size anomaly"
              dataKey="anomaly"
              stroke="#dc2626"
              strokeWidth={0}
              legendType="circle"
              dot={{ r: 5, fill: "#dc2626", stroke: "white", strokeWidth: 1.5 }}
              activeDot={false}
              isAnimationActive={false}
            />
            <Line
              yAxisId="size"
              name="Failed verification"
              dataKey="failed"
              stroke="#7f1d1d"
              strokeWidth={0}
              legendType="cross"
              dot={{ r: 4, fill: "white", stroke: "#7f1d1d", strokeWidth: 2 }}
              activeDot={false}
              isAnimationActive={false}
            />
            {hasVerify && (
              <Line
                yAxisId="seconds"
                name="Verification time (s)"
                dataKey="verifySeconds"
                stroke="#b45309"
                strokeDasharray="3 3"
                connectNulls
                dot={{ r: 2 }}
                isAnimationActive={false}
              />
            )}
          </ComposedChart>
        </ResponsiveContainer>
      }
      table={
        <table className={tableClass}>
          <caption className="sr-only">{database}: every backup with its size</caption>
          <thead>
            <tr>
              <th scope="col">Taken (UTC)</th>
              <th scope="col">Key</th>
              <th scope="col" className="text-right">
                Size
              </th>
              <th scope="col">Size anomaly</th>
              <th scope="col">Verification</th>
            </tr>
          </thead>
          <tbody className="tabular">
            {backups.map((b) => (
              <tr key={b.id}>
                <td className="whitespace-nowrap">{b.takenAt.slice(0, 16).replace("T", " ")}</td>
                <td className="break-all font-mono">{b.key}</td>
                <td className="text-right">{formatBytes(b.size)}</td>
                <td>{b.sizeAnomaly ?? "—"}</td>
                <td>
                  {b.verificationState.replace("_", " ")}
                  {b.verificationMs !== null ? `, ${(b.verificationMs / 1000).toFixed(1)} s` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
