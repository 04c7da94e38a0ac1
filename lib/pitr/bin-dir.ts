import path from "node:path";

// Which folders Lifeboat runs PostgreSQL's programs from (pg_waldump, pg_ctl, postgres) for a WAL
// archive. The setting is typed by an admin in the console; the programs run on the console's
// machine, so a typed path alone must never decide what runs there: it has to be Debian's
// folder of a major version, or one the machine's owner listed in LIFEBOAT_PG_BIN_DIRS.

const DEBIAN_BIN = /^\/usr\/lib\/postgresql\/[0-9]{1,3}\/bin$/;

function normalize(dir: string): string {
  const n = path.posix.normalize(dir);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** A typed path, normalized ("/a//b/" → "/a/b"); null when it is not absolute or climbs with "..". */
export function typedAbsolutePath(p: string): string | null {
  if (!p.startsWith("/") || p.split("/").includes("..")) return null;
  return normalize(p);
}

/** True when the (normalized) path is strictly inside one of the folders the machine's owner listed. */
export function insideListedFolder(p: string, listed: readonly string[]): boolean {
  return listed.some((l) => {
    const dir = normalize(l);
    return p.startsWith(dir === "/" ? "/" : `${dir}/`) && p !== dir;
  });
}

/** True when `dir` (absolute, as typed) is Debian's bin folder of a version or listed exactly. */
export function allowedPgBinDir(dir: string, listed: readonly string[]): boolean {
  const n = typedAbsolutePath(dir);
  if (n === null) return false;
  return DEBIAN_BIN.test(n) || listed.some((l) => normalize(l) === n);
}

/** Why the folder is refused, in words for the form and the run; null when it is allowed. */
export function pgBinDirProblem(dir: string, listed: readonly string[]): string | null {
  if (allowedPgBinDir(dir, listed)) return null;
  return `${dir} is not one Lifeboat may run programs from: use /usr/lib/postgresql/<major version>/bin, or have the machine's owner add the folder to LIFEBOAT_PG_BIN_DIRS`;
}
