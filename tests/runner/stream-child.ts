// A console process for tests/security/truncated-stream.test.ts: it streams a plain-SQL
// restore (from a FIFO the test writes half a script into) or a copy-back (from a scratch
// database whose rows stop coming half-way) into the test PostgreSQL, and is killed with
// SIGKILL in the middle: psql then reads the end of its input, and must commit nothing.
// Run as: node --conditions=import --require ./scripts/allow-server-only.cjs --require tsx/cjs
// tests/runner/stream-child.ts plain <database> <fifo>   |   copy <scratch> <target>
import { testConnection } from "@/lib/postgres/test-support";
import { copyRowsBack } from "@/lib/restores/copy-rows";
import { restorePlain } from "@/lib/restores/restore-tools";

/** The copy-back's rows: ids 1–200 of public.items (id bigint, pad text). */
export const COPY_IDS = Array.from({ length: 200 }, (_, i) => String(i + 1));

async function main() {
  const [mode, a, b] = process.argv.slice(2);
  if (!a || !b) throw new Error("usage: stream-child.ts plain <database> <fifo> | copy <scratch> <target>");
  const log = (t: string) => process.stdout.write(`${t}\n`);
  if (mode === "plain") {
    await restorePlain({ conn: testConnection(a), file: b, format: "plain", restricted: true }, log, () => {});
  } else {
    await copyRowsBack(
      testConnection(a),
      testConnection(b),
      {
        table: "public.items",
        schema: "public",
        name: "items",
        idColumn: "id",
        idType: "bigint",
        columns: ["id", "pad"],
        inBackup: COPY_IDS.length,
        inProduction: 0,
        missing: COPY_IDS.length,
        ids: COPY_IDS,
      },
      log,
    );
  }
  process.stdout.write("ENDED\n");
  process.exit(0);
}

if (/stream-child\.ts$/.test(process.argv[1] ?? "")) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
