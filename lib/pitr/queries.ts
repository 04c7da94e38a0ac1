import "server-only";
import { db } from "@/lib/db";
import { parseStoredJson } from "@/lib/stored-json";
import { REPO_SECRET_NAMES, repoOptionsSchema, type RepoOptions, type RepoSecretName } from "@/lib/pitr/repo-config";
import { healthVerdict, storedHealth, type ArchiveHealth, type HealthVerdict } from "@/lib/pitr/health";
import { unsealArchiveSecrets } from "@/lib/pitr/pgbackrest";
import { isDemoArchive } from "@/lib/pitr/demo-archive";

// What pages read about WAL archives: settings without secrets (only which are saved), the last
// stored health and the restore points. Nothing here runs pgBackRest.

export type WalArchiveSettings = {
  stanza: string;
  configPath: string | null;
  repoType: string;
  repoPath: string;
  options: RepoOptions;
  secretsSaved: RepoSecretName[];
  pgBinDir: string | null;
  walRpoMinutes: number;
};

export type RestorePointDto = {
  id: string;
  name: string;
  lsn: string;
  createdAt: Date;
  createdBy: string;
  source: string;
};

export type WalArchiveView = {
  settings: WalArchiveSettings | null;
  health: ArchiveHealth | null;
  healthProblem: string | null;
  verdict: HealthVerdict;
  lastCheckedAt: Date | null;
  restorePoints: RestorePointDto[];
};

export async function walArchiveView(databaseId: string): Promise<WalArchiveView> {
  const [a, points] = await Promise.all([
    db.walArchive.findUnique({ where: { databaseId } }),
    db.restorePoint.findMany({
      where: { databaseId },
      orderBy: { createdAt: "desc" },
      take: 50,
      select: { id: true, name: true, lsn: true, createdAt: true, createdBy: true, source: true },
    }),
  ]);
  if (!a) {
    return {
      settings: null,
      health: null,
      healthProblem: null,
      verdict: healthVerdict(null),
      lastCheckedAt: null,
      restorePoints: points,
    };
  }
  let health: ArchiveHealth | null = null;
  let healthProblem: string | null = null;
  try {
    health = storedHealth(a);
  } catch (e) {
    healthProblem = e instanceof Error ? e.message : "The stored health cannot be read.";
  }
  let secretsSaved: RepoSecretName[] = [];
  try {
    secretsSaved = REPO_SECRET_NAMES.filter((n) => Boolean(unsealArchiveSecrets(a)[n]));
  } catch {
    // A key change makes them unreadable: the form asks for them again.
  }
  return {
    settings: {
      stanza: a.stanza,
      configPath: a.configPath,
      repoType: a.repoType,
      repoPath: a.repoPath,
      options: parseStoredJson(a.repoOptions, repoOptionsSchema, "WAL archive's options (WalArchive.repoOptions)"),
      secretsSaved,
      pgBinDir: a.pgBinDir,
      walRpoMinutes: a.walRpoMinutes,
    },
    health,
    healthProblem,
    verdict: healthVerdict(health),
    lastCheckedAt: a.lastCheckedAt,
    restorePoints: points,
  };
}

/** For the dashboard: every archive's verdict, worst first. */
export async function walArchiveVerdicts(): Promise<
  {
    databaseId: string;
    databaseName: string;
    verdict: HealthVerdict;
    checkedAt: Date | null;
    health: ArchiveHealth | null;
    /** The demo's sample archive (npm run demo): its health is made-up. */
    demo: boolean;
  }[]
> {
  const rows = await db.walArchive.findMany({
    select: {
      databaseId: true,
      lastHealth: true,
      lastCheckedAt: true,
      repoOptions: true,
      database: { select: { name: true } },
    },
    orderBy: { database: { name: "asc" } },
  });
  const order = { unreadable: 0, failing: 1, rpo_breached: 2, unknown: 3, ok: 4 } as const;
  return rows
    .map((r) => {
      let health: ArchiveHealth | null = null;
      try {
        health = storedHealth(r);
      } catch {
        health = null;
      }
      return {
        databaseId: r.databaseId,
        databaseName: r.database.name,
        verdict: healthVerdict(health),
        checkedAt: r.lastCheckedAt,
        health,
        demo: isDemoArchive(r),
      };
    })
    .sort((x, y) => order[x.verdict.state] - order[y.verdict.state]);
}
