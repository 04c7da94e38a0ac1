// Prometheus text exposition format 0.0.4, written by hand (a few families need no library).
// Label values come from users (database names): a backslash, a double quote and a line break
// are escaped as the format says, so a hostile name cannot end a label or start a new sample.

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

export type Sample = { labels?: Labels; value: number };

/** A counter or gauge family: HELP, TYPE, then one line per sample. */
export function family(name: string, help: string, type: "counter" | "gauge", samples: Sample[]): string {
  const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
  for (const s of samples) lines.push(`${name}${labelText(s.labels)} ${formatValue(s.value)}`);
  return lines.join("\n") + "\n";
}

/** A histogram family from raw observations, grouped by their label sets. */
export function histogram(
  name: string,
  help: string,
  buckets: readonly number[],
  groups: { labels: Labels; values: number[] }[],
): string {
  const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} histogram`];
  const bounds = [...buckets].sort((a, b) => a - b);
  for (const g of groups) {
    for (const le of bounds) {
      const count = g.values.filter((v) => v <= le).length;
      lines.push(`${name}_bucket${labelText({ ...g.labels, le: formatValue(le) })} ${count}`);
    }
    lines.push(`${name}_bucket${labelText({ ...g.labels, le: "+Inf" })} ${g.values.length}`);
    lines.push(`${name}_sum${labelText(g.labels)} ${formatValue(g.values.reduce((a, b) => a + b, 0))}`);
    lines.push(`${name}_count${labelText(g.labels)} ${g.values.length}`);
  }
  return lines.join("\n") + "\n";
}

/** Reads the text format back (the tests use it to check what a scraper would see). */
export function parseExposition(text: string): { name: string; labels: Labels; value: number }[] {
  const out: { name: string; labels: Labels; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Labels = {};
    const body = m[3] ?? "";
    let i = 0;
    while (i < body.length) {
      const k = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(body.slice(i));
      if (!k) throw new Error(`bad labels in: ${line}`);
      i += k[0].length;
      let v = "";
      for (;;) {
        const c = body[i];
        if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
        i++;
        if (c === '"') break;
        if (c === "\\") {
          const e = body[i++];
          v += e === "n" ? "\n" : e === "\\" ? "\\" : e === '"' ? '"' : `\\${e ?? ""}`;
        } else v += c;
      }
      labels[k[1]!] = v;
      if (body[i] === ",") i++;
    }
    const raw = m[4]!;
    out.push({ name: m[1]!, labels, value: raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw) });
  }
  return out;
}
