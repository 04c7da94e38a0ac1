import fs from "node:fs";
import path from "node:path";

export function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

export const ROOT = path.resolve(__dirname, "../..");

/** Every route handler file under app/, relative to the project root. */
export function routeFiles(): string[] {
  return walk(path.join(ROOT, "app"))
    .filter((f) => /[/\\]route\.tsx?$/.test(f))
    .map((f) => path.relative(ROOT, f));
}

/** Every "use server" module under app/ (server actions). */
export function serverActionFiles(): string[] {
  return walk(path.join(ROOT, "app"))
    .filter((f) => /\.tsx?$/.test(f))
    .filter((f) => /^\s*(["'])use server\1/.test(fs.readFileSync(f, "utf8")))
    .map((f) => path.relative(ROOT, f));
}

/** /app/api/users/[id]/route.ts → /api/users/x (route groups dropped, params filled). */
export function routeUrl(file: string): string {
  const segments = path
    .dirname(file)
    .split(path.sep)
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s))
    .map((s) => (s.startsWith("[") ? "does-not-exist" : s));
  return "/" + segments.join("/");
}
