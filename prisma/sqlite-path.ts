import path from "node:path";

export const DEFAULT_DATABASE_URL = "file:./data/lifeboat.db";

/** file:./data/x.db → absolute path, resolved against the working directory (the project root). */
export function sqlitePath(url: string): string {
  const raw = url.replace(/^file:/, "").split("?")[0] ?? "";
  return path.resolve(/* turbopackIgnore: true */ process.cwd(), raw);
}
