// Demo monthly-test records for `npm run demo`, so the calendar, the dashboard, the trends and
// the evidence exports show something real: amani-production's last months (two signed and
// locked, one failed with an open action item, a month missed, last month waiting for its
// countersignature) and amani-staging's last month unsigned. Only when the database has no test
// record yet, so a restarted demo never adds more. The signatures' audit events are written
// now (the chain keeps its own time) with the signer as actor, the signing time and `demo: true`
// in their detail.
import type { LifeboatPrisma } from "../prisma/client";
import { appendAuditEvent } from "../lib/audit/chain";

const OPERATOR = "oncall@lifeboat.demo";
const APPROVER = "approver@lifeboat.demo";

type DemoTest = {
  monthsAgo: number;
  status: "passed" | "failed";
  sizeBytes: number;
  restoreMs: number | null;
  countersigned: boolean;
  signed: boolean;
  reason?: string;
  action?: { text: string; owner: string; dueInDays: number };
  findings?: {
    step: "creation" | "integrity" | "restore" | "record";
    severity: "error" | "warning" | "info";
    text: string;
  }[];
};

const TABLES = [
  ["users", 1200],
  ["projects", 340],
  ["transactions", 15_000],
  ["wallet_events", 22_000],
] as const;

function monthStart(now: Date, monthsAgo: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
}

/** The first Monday of the month at 03:00 UTC: the default test schedule. */
function firstMonday(start: Date): Date {
  const d = new Date(start);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(3, 0, 0, 0);
  return d;
}

async function audit(prisma: LifeboatPrisma, actor: string, action: string, testId: string, at: Date, detail: object) {
  await prisma.$transaction((tx) =>
    appendAuditEvent(tx, {
      actorId: null,
      actorEmail: actor,
      action,
      targetType: "backup_test",
      targetId: testId,
      // The chain stamps its own time: the signature's time goes in the detail.
      detail: JSON.stringify({ ...detail, signedAt: at.toISOString(), demo: true }),
    }),
  );
}

async function seedDatabase(prisma: LifeboatPrisma, name: string, tests: DemoTest[], now: Date) {
  const database = await prisma.database.findUnique({ where: { name } });
  if (!database) return;
  if ((await prisma.backupTest.count({ where: { databaseId: database.id } })) > 0) return;
  for (const d of tests) {
    const startedAt = firstMonday(monthStart(now, d.monthsAgo));
    if (startedAt.getTime() > now.getTime()) continue;
    const month = startedAt.toISOString().slice(0, 7);
    const backupAt = new Date(startedAt.getTime() - 25 * 3600_000);
    const stamp = backupAt.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
    const growth = 1 + (6 - d.monthsAgo) * 0.04;
    const counts =
      d.status === "failed"
        ? []
        : TABLES.map(([table, rows]) => {
            const n = Math.round(rows * growth);
            return { schema: "public", table, manifest: n, restored: n, ok: true };
          });
    const queries =
      d.status === "failed"
        ? []
        : [
            {
              name: "at least 1000 users",
              sql: "SELECT count(*) FROM users",
              comparator: "gte",
              expected: "1000",
              actual: String(Math.round(1200 * growth)),
              ok: true,
              error: null,
              ms: 4,
            },
            {
              name: "transactions equal the manifest",
              sql: "SELECT count(*) FROM transactions",
              comparator: "eq_manifest",
              expected: String(Math.round(15_000 * growth)),
              actual: String(Math.round(15_000 * growth)),
              ok: true,
              error: null,
              ms: 9,
            },
          ];
    const finishedAt = new Date(startedAt.getTime() + (d.restoreMs ?? 20_000) + 30_000);
    const performedAt = d.signed ? new Date(finishedAt.getTime() + 3 * 3600_000) : null;
    const countersignedAt = d.countersigned ? new Date(finishedAt.getTime() + 26 * 3600_000) : null;
    const test = await prisma.backupTest.create({
      data: {
        databaseId: database.id,
        month,
        status: d.status,
        startedAt,
        finishedAt,
        backupKey: `amani_backup_${stamp}.sql.gz`,
        backupLocation: "demo-local",
        backupSizeBytes: BigInt(Math.round(d.sizeBytes * growth)),
        backupCreatedAt: backupAt,
        restoreMs: d.restoreMs,
        rtoMinutes: database.rtoCorruptionMinutes,
        tableCounts: JSON.stringify(counts),
        queryResults: JSON.stringify(queries),
        findings: JSON.stringify(d.findings ?? []),
        scratchDatabase: `lifeboat_test_${stamp.slice(0, 8)}_demo`,
        scratchDroppedAt: finishedAt,
        createdBy: "schedule",
        createdAt: startedAt,
      },
    });
    if (performedAt) {
      await prisma.backupTest.update({
        where: { id: test.id },
        data: { performedBy: OPERATOR, performedAt, signReason: d.reason ?? "" },
      });
      if (d.action)
        await prisma.backupTestAction.create({
          data: {
            testId: test.id,
            text: d.action.text,
            owner: d.action.owner,
            dueDate: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + d.action.dueInDays)),
          },
        });
      await audit(prisma, OPERATOR, "monthly_test.sign", test.id, performedAt, {
        database: name,
        month,
        status: d.status,
        actionItems: d.action ? 1 : 0,
      });
    }
    if (countersignedAt) {
      await prisma.backupTest.update({
        where: { id: test.id },
        data: { countersignedBy: APPROVER, countersignedAt, lockedAt: countersignedAt },
      });
      await audit(prisma, APPROVER, "monthly_test.countersign", test.id, countersignedAt, {
        database: name,
        month,
        status: d.status,
        performedBy: OPERATOR,
      });
    }
  }
}

export async function seedMonthlyTests(prisma: LifeboatPrisma, now = new Date()) {
  const mib = 1024 * 1024;
  await seedDatabase(
    prisma,
    "amani-production",
    [
      { monthsAgo: 5, status: "passed", sizeBytes: 3.1 * mib, restoreMs: 48_000, signed: true, countersigned: true },
      { monthsAgo: 4, status: "passed", sizeBytes: 3.2 * mib, restoreMs: 51_500, signed: true, countersigned: true },
      {
        monthsAgo: 3,
        status: "failed",
        sizeBytes: 1.4 * mib,
        restoreMs: null,
        signed: true,
        countersigned: true,
        reason:
          "The chosen backup was truncated (gzip stream ends early): the upload was cut off. The next day's backup verified; the upload job now checks the size.",
        action: { text: "Alert on a backup smaller than half the previous one", owner: OPERATOR, dueInDays: 10 },
        findings: [
          {
            step: "integrity",
            severity: "error",
            text: "The backup is truncated: the gzip stream ends before its end marker. Nothing was restored.",
          },
        ],
      },
      { monthsAgo: 1, status: "passed", sizeBytes: 3.5 * mib, restoreMs: 57_250, signed: true, countersigned: false },
    ],
    now,
  );
  await seedDatabase(
    prisma,
    "amani-staging",
    [{ monthsAgo: 1, status: "passed", sizeBytes: 2.9 * mib, restoreMs: 42_000, signed: false, countersigned: false }],
    now,
  );
}
