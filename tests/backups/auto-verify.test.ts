import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/lib/db";
import { saveLocation } from "@/lib/locations/mutations";
import { saveLocationSchema } from "@/lib/locations/schemas";
import { beginSync } from "@/lib/catalog/sync";
import { AUTO_VERIFY_REQUESTER, verifyNewObjects } from "@/lib/backups/auto-verify";

// After a sync, every object never verified (here: none has a manifest, so all are foreign) is
// verified once by Lifeboat itself, against a real folder and Lifeboat's real database.

let folder: string;
let locationId: string;
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-auto-verify-"));
  const dump = "-- PostgreSQL database dump\nSELECT 1;\n-- PostgreSQL database dump complete\n";
  for (let i = 1; i <= 5; i++)
    fs.writeFileSync(path.join(folder, `auto_backup_2026110${i}_020000.sql.gz`), gzipSync(dump));
  fs.writeFileSync(path.join(folder, "auto_backup_20261106_020000.sql.gz"), "not gzip at all");
  locationId = (
    await saveLocation(
      saveLocationSchema.parse({ name: `auto-${tag}`, config: { kind: "local", path: folder, prefix: "" } }),
    )
  ).id;
  await (
    await beginSync(locationId, "manual")
  ).done;
});

afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

test("each new object is verified once, by Lifeboat; a broken one fails; a second pass starts nothing", async () => {
  expect(await verifyNewObjects(locationId, { concurrency: 2 })).toBe(6);
  const rows = await db.backup.findMany({ where: { locationId }, include: { verifications: true } });
  expect(rows).toHaveLength(6);
  for (const r of rows) {
    expect(r.verifications).toHaveLength(1);
    expect(r.verifications[0]!.requestedBy).toBe(AUTO_VERIFY_REQUESTER);
  }
  const broken = rows.find((r) => r.key.includes("20261106"))!;
  expect(broken.verificationState).toBe("failed");
  expect(rows.filter((r) => r.verificationState === "verified")).toHaveLength(5);
  expect(await verifyNewObjects(locationId)).toBe(0);
});
