// npm run audit:verify — recomputes the audit log's hash chain in Lifeboat's database
// (LIFEBOAT_DATABASE_URL, default file:./data/lifeboat.db). Exit 0 with the number of events
// checked; exit 1 naming the first event that does not fit (changed, removed or inserted);
// exit 2 when the database cannot be read.
import fs from "node:fs";
import { createPrismaClient } from "../prisma/client";
import { DEFAULT_DATABASE_URL, sqlitePath } from "../prisma/sqlite-path";
import { verifyAuditChain } from "../lib/audit/chain";

async function main(): Promise<number> {
  const url = process.env.LIFEBOAT_DATABASE_URL || DEFAULT_DATABASE_URL;
  if (!fs.existsSync(sqlitePath(url))) {
    console.error(`No Lifeboat database at ${sqlitePath(url)}. Set LIFEBOAT_DATABASE_URL to the console's database.`);
    return 2;
  }
  const prisma = createPrismaClient(url);
  try {
    const verdict = await verifyAuditChain(prisma);
    if (verdict.ok) {
      const legacy =
        verdict.legacy > 0 ? ` (${verdict.legacy} from before the chain, covered by the first chained one)` : "";
      const head = verdict.head ? `; head: event ${verdict.head.seq}, hash ${verdict.head.hash}` : "";
      console.log(`Audit chain intact: ${verdict.count} events checked${legacy}${head}.`);
      return 0;
    }
    const { seq, id, reason } = verdict.broken;
    console.error(
      `Audit chain BROKEN at event ${seq} (id ${id}): ${reason}. ${verdict.count} events before it check out. ` +
        "Compare this database with a backup of it to see what was changed.",
    );
    return 1;
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`Could not verify the audit chain: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);
