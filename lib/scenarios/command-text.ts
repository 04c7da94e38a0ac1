// How a plan step's command is shown to people (runbook, print view, run page). Pure, so
// client components can use it too. An automatic step's command is one argv; a manual step's
// is a list of lines for a person to type. Placeholders such as <db> stay as they are.

const PLAIN_ARG = /^[A-Za-z0-9_@%+=:,./<>-]+$/;

export function commandText(kind: string, command: readonly string[] | null): string | null {
  if (!command || command.length === 0) return null;
  if (kind !== "automatic") return command.join("\n");
  return command.map((a) => (PLAIN_ARG.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
