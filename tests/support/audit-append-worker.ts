// Appends AUDIT_WORKER_COUNT audit events, all at once, to LIFEBOAT_DATABASE_URL: run by
// tests/security/audit-chain.test.ts in several processes at the same time.
import { createPrismaClient } from "../../prisma/client";
import { appendAuditEvent, retryAuditRace } from "../../lib/audit/chain";

async function main() {
  const prisma = createPrismaClient(process.env.LIFEBOAT_DATABASE_URL!);
  const name = process.env.AUDIT_WORKER_NAME ?? "worker";
  const count = Number(process.env.AUDIT_WORKER_COUNT ?? 20);
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      retryAuditRace(() =>
        prisma.$transaction((tx) =>
          appendAuditEvent(tx, {
            actorId: null,
            actorEmail: `${name}@example.test`,
            action: "test.parallel",
            targetType: "test",
            targetId: `${name}-${i}`,
            detail: JSON.stringify({ i }),
          }),
        ),
      ),
    ),
  );
  await prisma.$disconnect();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
