// What every benchmark shares so that its numbers can be trusted and compared: each arm runs the
// same number of rounds (at least 3), interleaved with the order rotated every round so that drift
// on a shared machine hits every arm alike; medians with their spread; the load average beside
// them; and a JSON file under bench/results/ (ignored by git) to compare two runs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** BENCH_ROUNDS (default 5), never fewer than 3. */
export const ROUNDS = Math.max(3, Math.floor(Number(process.env.BENCH_ROUNDS ?? 5)) || 5);

export const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 === 1 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

/** Fastest–slowest, in seconds. */
export const spread = (xs: number[]) => `${s(Math.min(...xs))}–${s(Math.max(...xs))}`;

/** The 1, 5 and 15 minute load averages. */
export const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/**
 * Runs every arm `rounds` times, interleaved: round i starts with arm i mod n (A B C, B C A, C A B…).
 * An arm returns its milliseconds, or an object whose `ms` is the time and the rest is kept.
 * `after` is called once a round is done (to print it).
 */
export async function interleave<A extends Record<string, (round: number) => Promise<{ ms: number }>>>(
  arms: A,
  rounds: number = ROUNDS,
  after?: (round: number, results: { [K in keyof A]: Awaited<ReturnType<A[K]>> }) => void,
): Promise<{ [K in keyof A]: Awaited<ReturnType<A[K]>>[] }> {
  type Results = { [K in keyof A]: Awaited<ReturnType<A[K]>> };
  const keys = Object.keys(arms) as (keyof A & string)[];
  const out = Object.fromEntries(keys.map((k) => [k, []])) as unknown as { [K in keyof A]: Results[K][] };
  for (let i = 0; i < rounds; i++) {
    const got = {} as Results;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(i + j) % keys.length]!;
      got[k] = (await arms[k]!(i)) as Results[typeof k];
      out[k].push(got[k]);
    }
    after?.(i, got);
  }
  return out;
}

/** "label (median of n): 1.23 s (spread 1.10 s–1.40 s)". */
export function summary(label: string, xs: number[]): string {
  return `${label} (median of ${xs.length}): ${s(median(xs))} (spread ${spread(xs)})`;
}

/** Prints the load average before and after, and writes bench/results/<bench>-<time>.json. */
export function writeResults(bench: string, loadBefore: string, data: Record<string, unknown>): string {
  const loadAfter = load();
  console.log(`load average (1, 5, 15 min): before ${loadBefore}, after ${loadAfter} on ${os.cpus().length} CPUs`);
  const dir = path.resolve("bench/results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${bench}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const body = { bench, ...data, loadAverage: { before: loadBefore, after: loadAfter, cpus: os.cpus().length } };
  fs.writeFileSync(file, JSON.stringify(body, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v), 2) + "\n");
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  return file;
}
