import { randomUUID } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import { db } from "@/lib/db";
import { metricsResponse } from "@/lib/metrics/route";
import { parseExposition } from "@/lib/metrics/prometheus";
import { GET } from "@/app/metrics/route";

// GET /metrics as Prometheus scrapes it: bearer token, text format 0.0.4, and a database name
// chosen to break the format (a quote, a backslash, a line break and a fake sample) that must
// come back as one label value, not as a sample of its own.

const TOKEN = `metrics-token-${randomUUID()}`;
const tag = randomUUID().slice(0, 8);
const HOSTILE = `evil"} 1\nlifeboat_verification_failures_total 0\n# \\${tag}`;

const scrape = (authorization?: string, token: string | null = TOKEN) =>
  metricsResponse(new Request("http://127.0.0.1/metrics", { headers: authorization ? { authorization } : {} }), token);

beforeAll(async () => {
  const loc = await db.location.create({
    data: { name: `metrics-${tag}`, kind: "local", config: JSON.stringify({ kind: "local", path: "/tmp" }) },
  });
  const d = await db.database.create({
    data: { name: HOSTILE, host: "127.0.0.1", port: 9, dbName: "app", user: "app", rpoHours: 24 },
  });
  const takenAt = new Date(Date.now() - 3 * 3_600_000);
  await db.backup.create({
    data: {
      locationId: loc.id,
      key: `m_${tag}.sql.gz`,
      size: BigInt(10),
      lastModified: takenAt,
      takenAt,
      takenAtSource: "name",
      format: "plain_gzip",
      kind: "scheduled",
      databaseId: d.id,
      weekday: takenAt.getUTCDay(),
      dayOfMonth: takenAt.getUTCDate(),
    },
  });
  const started = new Date(Date.now() - 600_000);
  await db.run.create({
    data: {
      scenarioId: "database-corruption",
      scenarioVersion: 1,
      databaseId: d.id,
      status: "succeeded",
      plan: "{}",
      planHash: "x",
      createdBy: "ops@example.test",
      startedAt: started,
      finishedAt: new Date(started.getTime() + 95_000),
    },
  });
});

test("without the token: 401 and no figures; with a wrong one: 401; unset: 404", async () => {
  for (const auth of [undefined, "Bearer wrong-token-of-some-length", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
    const res = await scrape(auth);
    expect(res.status, auth ?? "no header").toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await res.text()).not.toContain("lifeboat_");
  }
  expect((await scrape(`Bearer ${TOKEN}`, null)).status).toBe(404);
  // The route itself, with no token configured in this test's environment.
  expect(
    (await GET(new Request("http://127.0.0.1/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }))).status,
  ).toBe(404);
});

test("the exposition parses, and a hostile database name stays one label value", async () => {
  const res = await scrape(`Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  const samples = parseExposition(text);

  const age = samples.filter(
    (s) => s.name === "lifeboat_newest_good_backup_age_seconds" && s.labels.database === HOSTILE,
  );
  expect(age).toHaveLength(1);
  expect(age[0]!.value).toBeGreaterThan(3 * 3600 - 60);
  expect(age[0]!.value).toBeLessThan(3 * 3600 + 60);
  // The fake sample inside the name did not become a sample.
  expect(samples.filter((s) => s.name === "lifeboat_verification_failures_total")).toHaveLength(1);
  expect(text).toContain(`database="evil\\"} 1\\nlifeboat_verification_failures_total 0\\n# \\\\${tag}"`);

  const failures = samples.find((s) => s.name === "lifeboat_alert_delivery_failures_total");
  expect(failures?.value).toBeGreaterThanOrEqual(0);
  const count = samples.find(
    (s) =>
      s.name === "lifeboat_restore_run_duration_seconds_count" &&
      s.labels.scenario === "database-corruption" &&
      s.labels.status === "succeeded",
  );
  expect(count?.value).toBeGreaterThanOrEqual(1);
  const le120 = samples.find(
    (s) =>
      s.name === "lifeboat_restore_run_duration_seconds_bucket" &&
      s.labels.scenario === "database-corruption" &&
      s.labels.status === "succeeded" &&
      s.labels.le === "120",
  );
  expect(le120?.value).toBeGreaterThanOrEqual(1);
  for (const name of ["lifeboat_verification_failures_total", "lifeboat_alert_delivery_failures_total"])
    expect(text).toContain(`# TYPE ${name} counter`);
  expect(text).toContain("# TYPE lifeboat_backup_run_duration_seconds histogram");
});
