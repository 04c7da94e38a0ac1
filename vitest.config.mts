import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // "server-only" throws outside React's server build; tests run lib/ on the server anyway.
      "server-only": path.resolve(import.meta.dirname, "tests/support/empty.ts"),
    },
  },
  test: {
    environment: "node",
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts", "bench/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    env: {
      NODE_ENV: "test",
      NEXTAUTH_SECRET: "test-secret-test-secret-test-secret-0123",
      LIFEBOAT_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      // Tests create local locations in temporary folders (and name the README's example folder).
      LIFEBOAT_LOCAL_ROOTS: `${os.tmpdir()}:/var/backups/postgres`,
      // Recovery instances' folders: one the postgres user can reach (the run's Lifeboat folder is 0700).
      LIFEBOAT_RECOVERY_DIR: path.join(os.tmpdir(), "lifeboat-test-recovery"),
      // pgBackRest config files of the shared archiving cluster and of throwaway ones live in temporary folders.
      LIFEBOAT_PGBACKREST_CONFIG_DIRS: os.tmpdir(),
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    allowOnly: false,
    passWithNoTests: false,
  },
});
