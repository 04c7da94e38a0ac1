import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { resolveAlert } from "@/lib/alerts/incidents";
import { db } from "@/lib/db";
import { checkTestsAndDrillsOverdue } from "@/lib/monthly-tests/overdue-check";

// The overdue check on Lifeboat's real database: a test plan's missed months and a scenario's
// year-old drill open one incident each, and close when the test or the drill is done. A clock
// far ahead keeps other files' rows (made "now") out of the way.

const now = new Date("2031-06-01T10:00:00Z");
const tag = randomUUID().slice(0, 8);

const openIncident = (event: string, where: { databaseId?: string; subject?: string }) =>
  db.alertIncident.findFirst({ where: { event, ...where, resolvedAt: null } });

async function database(name: string) {
  return db.database.create({
    data: { name: `${name}-${tag}`, environment: "production", host: "127.0.0.1", port: 5432, dbName: "x", user: "x" },
  });
}

async function testIn(databaseId: string, month: string) {
  await db.backupTest.create({
    data: {
      databaseId,
      month,
      status: "passed",
      startedAt: new Date(`${month}-05T03:00:00Z`),
      rtoMinutes: 15,
      createdBy: "x",
    },
  });
}

test("a test plan's missed months are one incident until each has a test; a database without a plan is not alerted", async () => {
  const planned = await database("overdue-planned");
  const unplanned = await database("overdue-unplanned");
  await db.testPlan.create({
    data: { databaseId: planned.id, testHost: "10.0.0.1", testUser: "t", createdAt: new Date("2031-02-15T00:00:00Z") },
  });
  // The unplanned one had a test long ago, so its calendar shows overdue months too.
  await testIn(unplanned.id, "2030-12");
  await testIn(planned.id, "2031-02");
  await testIn(planned.id, "2031-04");

  const first = await checkTestsAndDrillsOverdue({ now });
  expect(first.testsOverdue).toContain(planned.id);
  expect(first.testsOverdue).not.toContain(unplanned.id);
  const incident = await openIncident("monthly_test_overdue", { databaseId: planned.id });
  expect(incident?.message).toContain(`No monthly test of overdue-planned-${tag} for Mar 2031, May 2031`);
  expect(await openIncident("monthly_test_overdue", { databaseId: unplanned.id })).toBeNull();

  // Checked again: the same incident, counted, not a second one.
  await checkTestsAndDrillsOverdue({ now });
  expect(await db.alertIncident.count({ where: { event: "monthly_test_overdue", databaseId: planned.id } })).toBe(1);

  await testIn(planned.id, "2031-03");
  await testIn(planned.id, "2031-05");
  const second = await checkTestsAndDrillsOverdue({ now });
  expect(second.testsOverdue).not.toContain(planned.id);
  expect(await openIncident("monthly_test_overdue", { databaseId: planned.id })).toBeNull();
  expect(
    await db.alertIncident.findFirst({ where: { event: "monthly_test_overdue", databaseId: planned.id } }),
  ).toMatchObject({ resolvedAt: now });
});

test("a drill more than 12 months old is an incident until a new one is closed", async () => {
  const drill = (closedAt: string) =>
    db.drill.create({
      data: {
        scenarioId: "database-corruption",
        scenarioVersion: 1,
        scheduledAt: new Date(closedAt),
        status: "closed",
        closedAt: new Date(closedAt),
        outcome: "met",
        createdBy: `overdue-${tag}`,
      },
    });
  // Another file's check may have left this scenario's incident open (one incident per
  // scenario, keeping the message it opened with): it starts resolved here.
  await resolveAlert({ event: "drill_overdue", subject: "database-corruption", now, resolution: "test set-up" });
  await drill("2030-05-01T10:00:00Z");
  const first = await checkTestsAndDrillsOverdue({ now });
  expect(first.drillsOverdue).toContain("database-corruption");
  expect((await openIncident("drill_overdue", { subject: "database-corruption" }))?.message).toContain(
    "the last one closed 2030-05-01",
  );
  await drill("2031-05-20T10:00:00Z");
  const second = await checkTestsAndDrillsOverdue({ now });
  expect(second.drillsOverdue).not.toContain("database-corruption");
  expect(await openIncident("drill_overdue", { subject: "database-corruption" })).toBeNull();
});
