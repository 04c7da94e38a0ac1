// CSV for the audit export. Formula-safe: a spreadsheet runs a cell that starts with = + - @
// (or a tab or carriage return before one) as a formula, and an audit detail is text anybody
// could have typed (a contact's name, a drill note). Such cells get a leading apostrophe, which
// spreadsheets show as text and do not evaluate.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 lines (CRLF), header first. */
export function toCsv(
  header: readonly string[],
  rows: Iterable<readonly (string | number | null | undefined)[]>,
): string {
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) lines.push(row.map(csvCell).join(","));
  return lines.join("\r\n") + "\r\n";
}
