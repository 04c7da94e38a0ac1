import fs from "node:fs";
import { insideListedFolder, typedAbsolutePath } from "@/lib/pitr/bin-dir";

// Which file Lifeboat may give pgBackRest as --config. The path is typed by an admin, and
// pgBackRest reads the file on the console's machine as the console's (or the postgres) user:
// a config file can name programs it runs (cmd-ssh, repo1-host-cmd, cmd) and settings it writes
// into the recovered cluster (recovery-option: a restore_command PostgreSQL then runs). So a typed
// path alone must never decide what is read: the file must be a plain file the machine's owner
// placed in /etc/pgbackrest (Debian's folder), /etc/pgbackrest.conf, or a folder listed in
// LIFEBOAT_PGBACKREST_CONFIG_DIRS, and it must not set options that run programs or make a
// restore write outside its own folder. Checked when the archive is saved and before every use
// (the file may change after it was saved).

const DEFAULT_FOLDERS = ["/etc/pgbackrest"];
const DEFAULT_FILES = ["/etc/pgbackrest.conf"];
const MAX_BYTES = 1024 * 1024;

/** Options (their indexed forms too: repo1-host-cmd, pg2-host-cmd) a config file given to pgBackRest may not set. */
const RUNS_PROGRAMS = ["cmd", "cmd-ssh", "repo-host-cmd", "pg-host-cmd", "backup-cmd", "db-cmd", "recovery-option"];
const WRITES_OUTSIDE = [
  "link-all",
  "link-map",
  "tablespace-map",
  "tablespace-map-all",
  "config-path",
  "config-include-path",
];

/** pg1-host-cmd → pg-host-cmd; db1-cmd → db-cmd. */
const baseOption = (name: string) => name.replace(/^(repo|pg|db)\d+-/, "$1-");

/** The options a pgBackRest config file sets (every section), lower-cased, in file order. */
export function configOptionNames(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("[")) continue;
    const eq = line.indexOf("=");
    if (eq > 0) names.push(line.slice(0, eq).trim().toLowerCase());
  }
  return names;
}

function refusedOptions(text: string): { programs: string[]; outside: string[] } {
  const names = configOptionNames(text);
  const unique = (xs: string[]) => [...new Set(xs)];
  return {
    programs: unique(names.filter((n) => RUNS_PROGRAMS.includes(baseOption(n)))),
    outside: unique(names.filter((n) => WRITES_OUTSIDE.includes(baseOption(n)))),
  };
}

const allowedWords =
  "use a file in /etc/pgbackrest (or /etc/pgbackrest.conf), or have the machine's owner add its folder to LIFEBOAT_PGBACKREST_CONFIG_DIRS";

/**
 * Why `configPath` may not be given to pgBackRest, in words for the form and the run; null when
 * it may. `listed` are the folders of LIFEBOAT_PGBACKREST_CONFIG_DIRS. Reads the file (sync: it
 * is small, and the check must hold right before pgBackRest's argv is built).
 */
export function pgbackrestConfigProblem(configPath: string, listed: readonly string[]): string | null {
  const p = typedAbsolutePath(configPath);
  if (p === null || configPath.split("/").includes(".")) {
    return `The pgBackRest config file must be an absolute path without "." or ".." parts, e.g. /etc/pgbackrest/pgbackrest.conf (not ${configPath}).`;
  }
  if (!DEFAULT_FILES.includes(p) && !insideListedFolder(p, [...DEFAULT_FOLDERS, ...listed])) {
    return `${p} is not a file Lifeboat may give pgBackRest as its config: ${allowedWords}.`;
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === "ENOENT" || code === "ENOTDIR"
      ? `${p} does not exist on the recovery host: create it there, or leave the config file empty (the repository fields here are enough).`
      : `Lifeboat cannot look at ${p} (${code ?? "error"}): make it readable by the user the console runs as.`;
  }
  if (st.isSymbolicLink()) {
    return `${p} is a symbolic link: Lifeboat only gives pgBackRest a plain file; name the file itself (${allowedWords}).`;
  }
  if (!st.isFile()) return `${p} is not a regular file (a folder or a device): name the config file itself.`;
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch {
    real = "";
  }
  if (real !== p) {
    return `${p} goes through a symbolic link (it is really ${real || "elsewhere"}): name the real path (${allowedWords}).`;
  }
  if (st.size > MAX_BYTES) return `${p} is larger than 1 MiB: that is not a pgBackRest config file.`;
  let text: string;
  try {
    text = fs.readFileSync(p, "utf8");
  } catch (e) {
    return `Lifeboat cannot read ${p} (${(e as { code?: string }).code ?? "error"}): make it readable by the user the console runs as.`;
  }
  const { programs, outside } = refusedOptions(text);
  const found = [...programs, ...outside];
  if (found.length === 0) return null;
  const why = [
    programs.length ? "make pgBackRest run programs" : "",
    outside.length ? "make a restore read or write outside its own folder" : "",
  ]
    .filter(Boolean)
    .join(" or ");
  return `${p} sets ${found.join(", ")}, which ${found.length === 1 ? "is an option that could" : "are options that could"} ${why}: Lifeboat does not give pgBackRest such a config file. Remove ${found.length === 1 ? "it" : "them"} from the file (keep them in a file only the database server's own pgBackRest reads), or leave the config file empty and use the fields here.`;
}
