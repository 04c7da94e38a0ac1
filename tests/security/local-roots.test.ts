import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect, test, vi } from "vitest";
import type { SessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { localLocationPolicy } from "@/lib/env";
import { saveLocationCommand, testUnsavedLocationCommand } from "@/lib/locations/commands";
import { assertAllowedLocalPath } from "@/lib/storage/local-roots";
import { LocalStorage } from "@/lib/storage/local";

// A local location serves its folder's files to operators. Pointed at "/" or at Lifeboat's own
// data folder it would hand out lifeboat.db (every sealed secret, every password hash): only
// folders under LIFEBOAT_LOCAL_ROOTS are allowed, after resolving ".." and symlinks.

const session = vi.hoisted(() => ({ user: null as SessionUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

let base: string;
let root: string;
let dataDir: string;
let admin: SessionUser;

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "lifeboat-roots-"));
  root = path.join(base, "allowed");
  dataDir = path.join(base, "data");
  fs.mkdirSync(path.join(root, "backups"), { recursive: true });
  fs.mkdirSync(dataDir);
  fs.writeFileSync(path.join(dataDir, "lifeboat.db"), "");
  fs.symlinkSync("/etc", path.join(root, "escape"));
  fs.symlinkSync(dataDir, path.join(root, "to-data"));
  const user = await db.user.create({
    data: { email: `roots-${randomUUID().slice(0, 8)}@example.test`, name: "Roots", role: "admin" },
  });
  admin = { id: user.id, email: user.email, name: user.name, role: "admin" };
});

beforeEach(() => {
  session.user = admin;
});

afterAll(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

const policy = () => ({ roots: [root], dataDir });

test.each([
  ["the file system's root", () => "/", /Lifeboat's own database/],
  ["a '..' out of the root", () => `${root}/../data`, /Lifeboat's own database/],
  ["a '..' to /etc", () => `${root}/../../../../../../etc`, /not under an allowed folder/],
  ["a symlink out of the root", () => path.join(root, "escape"), /not under an allowed folder/],
  ["a symlink to the data folder", () => path.join(root, "to-data"), /Lifeboat's own database/],
  ["a relative path", () => "backups", /absolute folder path/],
])("refused: %s", (_, folder, message) => {
  expect(() => assertAllowedLocalPath(folder(), policy())).toThrow(message);
});

test("the data folder, and any folder that contains it, is refused even under a root", () => {
  const everywhere = { roots: ["/"], dataDir };
  expect(() => assertAllowedLocalPath(dataDir, everywhere)).toThrow(/Lifeboat's own database/);
  expect(() => assertAllowedLocalPath(base, everywhere)).toThrow(/Lifeboat's own database/);
  expect(() => assertAllowedLocalPath("/", everywhere)).toThrow(/Lifeboat's own database/);
});

test("no roots configured: no local folder at all, and the message names the variable", () => {
  expect(() => assertAllowedLocalPath(path.join(root, "backups"), { roots: [], dataDir })).toThrow(
    /LIFEBOAT_LOCAL_ROOTS/,
  );
});

test("folders under a root are allowed, also ones not created yet", () => {
  expect(() => assertAllowedLocalPath(root, policy())).not.toThrow();
  expect(() => assertAllowedLocalPath(path.join(root, "backups"), policy())).not.toThrow();
  expect(() => assertAllowedLocalPath(path.join(root, "later/2026"), policy())).not.toThrow();
});

test("an admin cannot save a location on Lifeboat's own data folder or on /", async () => {
  const ownData = localLocationPolicy().dataDir;
  for (const folder of [ownData, "/", "/etc"]) {
    const r = await saveLocationCommand({
      name: `roots-${randomUUID().slice(0, 8)}`,
      config: { kind: "local", path: folder },
    });
    expect(r.ok, folder).toBe(false);
  }
  const t = await testUnsavedLocationCommand({ config: { kind: "local", path: ownData } });
  expect(t.ok && t.data.ok).toBe(false);
});

test("a location stored before the rule cannot be used either", () => {
  expect(() => new LocalStorage({ path: localLocationPolicy().dataDir, prefix: "" })).toThrow(
    /Lifeboat's own database/,
  );
});
