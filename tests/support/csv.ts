/** A strict RFC 4180 reader for tests: quoted fields, doubled quotes, CRLF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 1;
    } else if (c === '"' || c === "\n" || c === "\r") {
      throw new Error(`malformed CSV at offset ${i}: a bare ${JSON.stringify(c)}`);
    } else field += c;
    i += 1;
  }
  if (quoted) throw new Error("malformed CSV: a quoted field never ends");
  if (field !== "" || row.length > 0) throw new Error("malformed CSV: the last line has no CRLF");
  return rows;
}
