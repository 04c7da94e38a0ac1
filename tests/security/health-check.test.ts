import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { checkHealthUrls, checkUrl, guardedLookup, isForbiddenAddress } from "@/lib/restores/health";
import { redactUrl, redactUrlsIn } from "@/lib/format/url";
import { planFor } from "@/lib/restores/plans";
import { DEFAULT_HEAD_SOURCE } from "@/lib/postgres/head-query";
import { sampleManifest, untouchableStorage } from "@/lib/restores/plan-test-fixtures";

describe("health checks never reach link-local or cloud metadata addresses", () => {
  test.each([
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://169.254.0.1/",
    "http://2852039166/", // 169.254.169.254 as one number: the URL parser normalizes it
    "http://0xa9.0xfe.0xa9.0xfe/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://168.63.129.16/machine",
    "http://100.100.100.200/latest/meta-data/",
  ])("ATTACK: %s is refused when the plan is made", (url) => {
    expect(() => checkHealthUrls([url])).toThrow(/link-local or cloud metadata address/);
  });

  test.each([
    "http://127.0.0.1:8080/health",
    "http://10.0.0.5/ready",
    "https://app.example.test/health",
    "http://[::1]/",
  ])("%s is allowed (the application's own address may well be private)", (url) => {
    expect(checkHealthUrls([url])).toHaveLength(1);
  });

  test("ATTACK: a literal metadata address given to the step directly is refused without connecting", async () => {
    const result = await checkUrl("http://169.254.169.254/latest/meta-data/");
    expect(result.ok).toBe(false);
    expect(result.status).toBeNull();
    expect(result.detail).toMatch(/link-local or cloud metadata address/);
  });

  test("ATTACK: a name that resolves to the metadata address (at the time of the check) is refused", async () => {
    const spy = vi
      .spyOn(dns, "lookup")
      .mockImplementation(((_host: string, _options: unknown, callback: (e: null, a: dns.LookupAddress[]) => void) =>
        callback(null, [{ address: "169.254.169.254", family: 4 }])) as unknown as typeof dns.lookup);
    try {
      const result = await checkUrl("http://health.app.example.test/ready");
      expect(result.ok).toBe(false);
      expect(result.detail).toMatch(/health\.app\.example\.test resolves to 169\.254\.169\.254/);
    } finally {
      spy.mockRestore();
    }
  });

  test("a name with any forbidden address among its answers is refused", async () => {
    const lookup = guardedLookup((_h, _o, cb) =>
      cb(null, [
        { address: "10.0.0.7", family: 4 },
        { address: "fd00:ec2::254", family: 6 },
      ]),
    );
    const err = await new Promise<Error | null>((resolve) => lookup("app.test", {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/fd00:ec2::254/);
  });

  test.each([
    ["169.254.169.254", true],
    ["::ffff:a9fe:a9fe", true],
    ["FD00:EC2::254", true],
    ["fe80::1%eth0", true],
    ["169.255.0.1", false],
    ["127.0.0.1", false],
    ["fd00::1", false],
  ])("%s forbidden: %s", (address, expected) => {
    expect(isForbiddenAddress(address)).toBe(expected);
  });
});

describe("health URL credentials are never shown", () => {
  let server: http.Server;
  let port: number;
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(req.url?.startsWith("/health") ? 200 : 302, { location: "http://u:p@elsewhere.test/?token=t0k" });
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("the check sends the URL's credentials to the application but shows only the redacted URL", async () => {
    const result = await checkUrl(`http://monitor:hunter2-secret@127.0.0.1:${port}/health?token=abc123&verbose=1`);
    expect(result.ok).toBe(true);
    expect(seen.at(-1)).toBe(`Basic ${Buffer.from("monitor:hunter2-secret").toString("base64")}`);
    expect(result.url).toBe(`http://***@127.0.0.1:${port}/health?token=***&verbose=1`);
    expect(JSON.stringify(result)).not.toMatch(/hunter2|abc123/);

    const redirected = await checkUrl(`http://monitor:hunter2-secret@127.0.0.1:${port}/moved`);
    expect(redirected.ok).toBe(false);
    expect(JSON.stringify(redirected)).not.toMatch(/hunter2|t0k|u:p@/);
  });

  test("ATTACK: the plan a viewer reads (step descriptions, summary) holds no health URL password or token", () => {
    const plan = planFor({
      scenarioId: "infrastructure-loss",
      healthUrls: ["https://monitor:hunter2-secret@app.example.test/health?api_key=abc123"],
      target: {
        name: "Amani production",
        environment: "production",
        conn: { host: "db.internal", port: 5432, user: "lifeboat", password: "pw", database: "amani" },
        migrationHead: DEFAULT_HEAD_SOURCE,
      },
      backup: {
        storage: untouchableStorage,
        key: "amani/amani_backup_20250101_020000.dump",
        size: 1234,
        format: "custom",
        manifest: sampleManifest,
        locationName: "S3 eu",
      },
      now: new Date("2025-03-04T05:06:07Z"),
    });
    const shown = JSON.stringify([plan.steps.map((s) => [s.title, s.description, s.command]), plan.summary]);
    expect(shown).toContain("https://***@app.example.test/health?api_key=***");
    expect(shown).not.toMatch(/hunter2|abc123/);
  });

  test("a run's stored options are redacted before they reach the run page and its API", () => {
    const options = { now: "2025-01-01", healthUrls: ["http://a:b@h.test/x?token=zz", "not a url"], n: 1 };
    expect(redactUrlsIn(options)).toEqual({
      now: "2025-01-01",
      healthUrls: ["http://***@h.test/x?token=***", "not a url"],
      n: 1,
    });
    expect(redactUrl("https://h.test/health")).toBe("https://h.test/health");
  });
});
