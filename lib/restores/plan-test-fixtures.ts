import type { Manifest } from "@/lib/backups/manifest";
import type { BackupStorage } from "@/lib/storage/provider";

// For tests that build plans: building a plan is pure, so the storage it is given fails on any use.

export const untouchableStorage: BackupStorage = new Proxy({} as BackupStorage, {
  get: (_t, prop) => {
    if (prop === "kind") return "local";
    if (prop === "description") return "folder /nowhere";
    if (prop === "then") return undefined;
    return () => {
      throw new Error(`building a plan must not use the storage (${String(prop)})`);
    };
  },
});

/** A manifest for a backup of `amani` with one table. */
export const sampleManifest: Manifest = {
  lifeboat: 1,
  sha256: "a".repeat(64),
  size: 1234,
  format: "custom",
  database: "amani",
  serverVersion: "15.18",
  pgDumpVersion: "15.18",
  createdAt: "2025-01-01T02:00:00.000Z",
  migrationHead: "a1b2c3d4e5f6",
  critical: false,
  tables: [{ schema: "public", name: "users", rows: 1000 }],
};
