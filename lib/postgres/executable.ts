import fs from "node:fs";
import path from "node:path";
import { minimalChildEnv } from "@/lib/env";

// On Debian, psql, pg_dump and pg_restore in PATH are one Perl script, pg_wrapper, that picks a
// client version and then starts /usr/lib/postgresql/<version>/bin/<tool>. Its Perl start-up
// costs about 30 ms of CPU before every call (measured: `psql --version` 37 ms through it, 8 ms
// direct), and a restore makes some 25 calls. Lifeboat's connections always name their host
// (PGHOST), for which pg_wrapper starts the newest installed version of the tool: Lifeboat starts
// that same program itself. Anything else (a bin directory from the settings, a tool in PATH
// that is not the wrapper, no Debian client at all) is started as given.

const WRAPPER = "/usr/share/postgresql-common/pg_wrapper";
const DEBIAN_CLIENTS = "/usr/lib/postgresql";
const TOOLS = new Set(["psql", "pg_dump", "pg_restore"]);

const resolved = new Map<string, string>();

function firstInPath(tool: string): string | null {
  for (const dir of (minimalChildEnv().PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, tool);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** The newest /usr/lib/postgresql/<version>/bin/<tool> that exists, or null. */
export function newestDebianClient(tool: string, root = DEBIAN_CLIENTS): string | null {
  let versions: string[];
  try {
    versions = fs.readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    return null;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const file = path.join(root, v, "bin", tool);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/** What to start for a client tool's argv[0]: Debian's wrapper skipped, anything else unchanged. */
export function executable(file: string): string {
  if (!TOOLS.has(file)) return file;
  const known = resolved.get(file);
  if (known !== undefined) return known;
  const inPath = firstInPath(file);
  let real: string | null = null;
  try {
    real = inPath ? fs.realpathSync(inPath) : null;
  } catch {
    real = null;
  }
  const chosen = real === WRAPPER ? (newestDebianClient(file) ?? file) : file;
  resolved.set(file, chosen);
  return chosen;
}
