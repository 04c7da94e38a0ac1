import { describe, expect, it } from "vitest";
import { seal } from "@/lib/crypto/key";
import {
  archiveSecretsContext,
  pgbackrestArgv,
  PgbackrestError,
  runPgbackrest,
  runningAsRoot,
} from "@/lib/pitr/pgbackrest";
import { pitrArchive } from "@/lib/pitr/test-support";

// Secrets reach pgBackRest through its own environment variables only; failures say what to do.

const s3Archive = () => {
  const id = "arch-s3";
  return pitrArchive({
    id,
    configPath: null,
    repoType: "s3",
    repoPath: "/lifeboat",
    repoOptions: JSON.stringify({ s3Bucket: "wal", s3Endpoint: "s3.example.org", s3Region: "eu-west-1" }),
    repoSecretEnc: seal(
      JSON.stringify({ s3Key: "AKIAEXAMPLEKEY", s3KeySecret: "very-secret-value" }),
      archiveSecretsContext(id),
    ),
  });
};

describe("pgbackrestArgv", () => {
  it("puts repository secrets in the environment, never in argv", () => {
    const { argv, env } = pgbackrestArgv(s3Archive(), "info", ["--output=json"]);
    expect(argv.join(" ")).not.toMatch(/AKIAEXAMPLEKEY|very-secret-value/);
    expect(env).toEqual({
      PGBACKREST_REPO1_S3_KEY: "AKIAEXAMPLEKEY",
      PGBACKREST_REPO1_S3_KEY_SECRET: "very-secret-value",
    });
    expect(argv).toContain("--repo1-type=s3");
    expect(argv).toContain("--repo1-s3-bucket=wal");
    expect(argv).toContain("--stanza=lifeboat");
    expect(argv.slice(-2)).toEqual(["info", "--output=json"]);
    if (runningAsRoot()) expect(argv.slice(0, 4)).toEqual(["runuser", "-u", "postgres", "--"]);
  });

  it("refuses a stanza that could be read as an option, and secrets sealed for another row", () => {
    expect(() => pgbackrestArgv(pitrArchive({ stanza: "--repo1-path=/etc" }), "info", [])).toThrow(
      /stanza name is not valid/,
    );
    expect(() => pgbackrestArgv({ ...s3Archive(), id: "another-row" }, "info", [])).toThrow();
    expect(() =>
      pgbackrestArgv(pitrArchive({ repoOptions: JSON.stringify({ s3Bucket: "a\n[global]" }) }), "info", []),
    ).toThrow();
  });
});

describe("runPgbackrest on the real binary", () => {
  it("reads the shared repository", async () => {
    const { stdout } = await runPgbackrest(pitrArchive(), "info", ["--output=json"]);
    expect(JSON.parse(stdout)).toBeInstanceOf(Array);
  });

  it("says the stanza is missing when check names one that does not exist", async () => {
    const e = await runPgbackrest(pitrArchive({ stanza: "no_such_stanza" }), "check", []).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PgbackrestError);
    expect((e as PgbackrestError).kind).toBe("stanza_missing");
    expect((e as PgbackrestError).message).toMatch(/stanza "no_such_stanza" was not found.*stanza-create/);
  });

  it("says the repository cannot be read", async () => {
    const e = await runPgbackrest(pitrArchive({ repoPath: "/root" }), "repo-ls", ["archive"]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PgbackrestError);
    expect((e as PgbackrestError).kind).toBe("repo_unreadable");
  });

  it("streams lines and keeps secrets out of them", async () => {
    const lines: string[] = [];
    await runPgbackrest(pitrArchive(), "info", [], { onLine: (_s, l) => lines.push(l) });
    expect(lines.join("\n")).toMatch(/stanza: lifeboat/);
  });
});
