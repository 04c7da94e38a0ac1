import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { createPrismaClient, type LifeboatPrisma } from "@/prisma/client";

// better-sqlite3 is one connection per process. A plain query sent while another request's
// interactive transaction is open must wait for it, not run inside it: otherwise it commits or
// rolls back with a transaction it knows nothing about.

let dir: string;
let client: LifeboatPrisma;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-serialized-"));
  client = createPrismaClient(`file:${path.join(dir, "t.db")}`);
  await client.$executeRawUnsafe("CREATE TABLE t (v TEXT NOT NULL)");
});

// Each test starts from an empty table, whatever order they run in.
beforeEach(async () => {
  await client.$executeRawUnsafe("DELETE FROM t");
});

afterAll(async () => {
  await client.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

const values = async () =>
  ((await client.$queryRawUnsafe("SELECT v FROM t ORDER BY v")) as { v: string }[]).map((r) => r.v);

test("a write sent while a transaction is open survives that transaction's rollback", async () => {
  let outside: Promise<unknown> = Promise.resolve();
  await expect(
    client.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("INSERT INTO t VALUES ('inside')");
      outside = client.$executeRawUnsafe("INSERT INTO t VALUES ('outside')");
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error("roll back");
    }),
  ).rejects.toThrow("roll back");
  await outside;
  expect(await values()).toEqual(["outside"]);
});

test("queries and transactions take turns in the order they were sent", async () => {
  const sent = [
    client.$executeRawUnsafe("INSERT INTO t VALUES ('a')"),
    client.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("INSERT INTO t VALUES ('b')");
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.$executeRawUnsafe("INSERT INTO t VALUES ('c')");
    }),
    client.$executeRawUnsafe("INSERT INTO t VALUES ('d')"),
  ];
  await Promise.all(sent);
  expect(await values()).toEqual(["a", "b", "c", "d"]);
});
