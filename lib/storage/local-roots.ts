import fs from "node:fs";
import path from "node:path";
import { StorageError } from "./provider";

// A local location serves every file under its folder to operators (download, restore), so an
// admin may only choose folders under the roots the server's operator configured, and never the
// folder of Lifeboat's own database or one that contains it. Paths are compared after resolving
// symlinks and "..", so neither can lead out of a root.

export type LocalPolicy = { roots: readonly string[]; dataDir: string };

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The real path of `p`; for a folder not created yet, its nearest existing parent's real path plus the rest. */
function realPath(p: string): string {
  const resolved = path.resolve(p);
  const missing: string[] = [];
  let current = resolved;
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return resolved;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/** Throws a StorageError ("invalid_config") saying why `folder` may not be a local location. */
export function assertAllowedLocalPath(folder: string, policy: LocalPolicy): void {
  if (!path.isAbsolute(folder) || folder.includes("\0")) {
    throw new StorageError("invalid_config", "Use an absolute folder path such as /var/backups/postgres");
  }
  const real = realPath(folder);
  const dataDir = realPath(policy.dataDir);
  if (within(real, dataDir)) {
    throw new StorageError(
      "invalid_config",
      `The folder ${folder} holds Lifeboat's own database (${policy.dataDir}), which operators could then download: choose a folder outside it`,
    );
  }
  if (policy.roots.length === 0) {
    throw new StorageError(
      "invalid_config",
      "Local folders are turned off on this server: its operator can allow folders by setting LIFEBOAT_LOCAL_ROOTS (absolute paths separated by ':')",
    );
  }
  if (!policy.roots.some((root) => within(realPath(root), real))) {
    throw new StorageError(
      "invalid_config",
      `The folder ${folder} is not under an allowed folder (${policy.roots.join(", ")}): choose one under them, or ask the server's operator to add it to LIFEBOAT_LOCAL_ROOTS`,
    );
  }
}
