// The disaster scenarios as versioned runbooks: data, reviewed like code. Changing a
// runbook's steps means raising its version and adding a changelog line (a drill of the
// old version then no longer counts for the new one).

export type ScenarioId = "database-corruption" | "accidental-deletion" | "failed-migration" | "infrastructure-loss";

export type RunbookStep = {
  title: string;
  kind: "automatic" | "manual" | "confirmation";
  detail: string;
  /** Copyable commands for manual steps and for the paper runbook (placeholders in <angle brackets>). */
  commands?: string[];
};

export type Scenario = {
  id: ScenarioId;
  number: number;
  title: string;
  version: number;
  changelog: { version: number; date: string; change: string }[];
  summary: string;
  symptoms: string[];
  /** Which of the database's RTO targets applies. */
  rto: "rtoCorruptionMinutes" | "rtoInfraLossMinutes" | "rtoDcFailureMinutes";
  expectedDowntime: string;
  /** Which backup the wizard suggests. */
  suggestedBackup: string;
  steps: RunbookStep[];
};

const SAFE_RESTORE_STEPS: RunbookStep[] = [
  { title: "Preflight", kind: "automatic", detail: "Checks the target is reachable, compares server and dump versions, lists who is connected, the database size, free disk for the download, and whether the backup was verified." },
  { title: "Download the backup", kind: "automatic", detail: "Streams the backup from its location to a private temporary file and checks its sha256 against the manifest.", commands: ["aws s3 cp s3://<bucket>/<key> ./backup   # or: az storage blob download / gsutil cp / cp", "sha256sum ./backup"] },
  { title: "Verify the backup", kind: "automatic", detail: "gzip decompresses to the end; custom format passes pg_restore --list; plain SQL ends with pg_dump's completion line.", commands: ["gunzip -t backup.sql.gz", "pg_restore --list backup.dump > /dev/null"] },
  { title: "Plain-SQL safety", kind: "automatic", detail: "A plain dump can run shell commands through psql meta-commands: it is restored only in psql's restricted mode or when its checksum matches a manifest Lifeboat wrote." },
  { title: "Restore into a scratch database", kind: "automatic", detail: "Creates <db>_lifeboat_<timestamp> and restores into it with --exit-on-error (plain SQL: psql with ON_ERROR_STOP=1). Production is not touched yet.", commands: ["createdb <db>_lifeboat_<ts>", "pg_restore --exit-on-error --no-owner --no-acl --dbname=<db>_lifeboat_<ts> backup.dump"] },
  { title: "Verify the scratch database", kind: "automatic", detail: "Tables are present and, when the backup has a manifest, every table's row count equals the manifest's." },
  { title: "Confirm the switch-over", kind: "confirmation", detail: "Type the target database's name. Production changes only after this." },
  { title: "Switch over", kind: "automatic", detail: "Terminates connections to the target, renames it to <db>_before_<timestamp>, renames the scratch database into place. The old copy is kept until an operator drops it.", commands: ["SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '<db>' AND pid <> pg_backend_pid();", "ALTER DATABASE <db> RENAME TO <db>_before_<ts>;", "ALTER DATABASE <db>_lifeboat_<ts> RENAME TO <db>;"] },
  { title: "Run the application's migrations", kind: "manual", detail: "The restored database is at the backup's migration head; bring it to the release's.", commands: ["alembic upgrade head"] },
  { title: "Start the application", kind: "manual", detail: "Start the application servers and workers again." },
  { title: "Health and readiness checks", kind: "manual", detail: "Check the health and readiness endpoints and a few key pages.", commands: ["curl -fsS https://<app>/health", "curl -fsS https://<app>/ready"] },
];

export const SCENARIOS: Scenario[] = [
  {
    id: "database-corruption",
    number: 1,
    title: "Database corruption",
    version: 1,
    changelog: [{ version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." }],
    summary: "The database is damaged (corrupt pages, a dropped table, an unusable state). Restore the newest verified backup into a scratch database, verify it, then switch it into place.",
    symptoms: ["Queries fail with 'invalid page' or 'could not read block' errors", "A table or schema is missing", "The application reports data integrity errors"],
    rto: "rtoCorruptionMinutes",
    expectedDowntime: "15–30 minutes",
    suggestedBackup: "the newest verified backup of the target database",
    steps: SAFE_RESTORE_STEPS,
  },
  {
    id: "accidental-deletion",
    number: 2,
    title: "Accidental data deletion",
    version: 1,
    changelog: [{ version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." }],
    summary: "Rows were deleted by mistake. Restore a backup from before the deletion into a scratch database, preview the missing rows, copy only those back into production in one transaction, and drop the scratch database.",
    symptoms: ["Users report missing records", "An unintended DELETE or UPDATE shows in the logs", "Counts dropped suddenly"],
    rto: "rtoCorruptionMinutes",
    expectedDowntime: "none for the application (30–60 minutes of work)",
    suggestedBackup: "the newest backup taken before the time the deletion happened",
    steps: [
      ...SAFE_RESTORE_STEPS.slice(0, 6),
      { title: "Preview the missing rows", kind: "automatic", detail: "Lists the rows of the named table and ids that exist in the backup but not in production." },
      { title: "Confirm the copy-back", kind: "confirmation", detail: "Check the preview; production changes only after this." },
      { title: "Copy the rows back", kind: "automatic", detail: "In one transaction: INSERT … ON CONFLICT DO NOTHING of exactly the previewed rows; reports how many were inserted.", commands: ["BEGIN; INSERT INTO <table> SELECT * FROM <scratch rows> ON CONFLICT DO NOTHING; COMMIT;"] },
      { title: "Drop the scratch database", kind: "automatic", detail: "The scratch copy is removed once the rows are back.", commands: ["dropdb <db>_lifeboat_<ts>"] },
    ],
  },
  {
    id: "failed-migration",
    number: 4,
    title: "Failed migration",
    version: 1,
    changelog: [{ version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." }],
    summary: "A schema migration failed half-way. First try the migration tool's downgrade; if that fails, restore the newest pre-migration backup.",
    symptoms: ["The deploy's migration step failed", "alembic_version shows a revision the code does not know", "Tables or columns are half-changed"],
    rto: "rtoCorruptionMinutes",
    expectedDowntime: "15–30 minutes",
    suggestedBackup: "the newest pre-migration backup of the target database",
    steps: [
      { title: "Try the downgrade first", kind: "manual", detail: "If the migration tool can undo the failed revision, that is faster than a restore.", commands: ["alembic downgrade -1"] },
      { title: "Compare migration heads", kind: "automatic", detail: "Shows the target's current migration head (alembic_version by default) next to the backup's." },
      ...SAFE_RESTORE_STEPS.slice(0, 8),
      ...SAFE_RESTORE_STEPS.slice(9),
    ],
  },
  {
    id: "infrastructure-loss",
    number: 3,
    title: "Complete infrastructure loss",
    version: 1,
    changelog: [{ version: 1, date: "2026-11-25", change: "First version, from the Backup and Disaster Recovery Guide." }],
    summary: "Servers are gone. Provision a new database server, restore the latest backup from cloud storage into it, deploy the application, switch DNS and monitor.",
    symptoms: ["The database server and its disks are lost", "The data center or region is unavailable", "Nothing answers at the usual addresses"],
    rto: "rtoInfraLossMinutes",
    expectedDowntime: "2–4 hours",
    suggestedBackup: "the newest verified backup in a cloud location",
    steps: [
      { title: "Provision a new database server", kind: "manual", detail: "Create a PostgreSQL server of the same major version and add it in Settings → Databases as the target." },
      { title: "Create the database", kind: "automatic", detail: "Creates the target database on the new server if it does not exist (refuses a database that already has tables)." },
      ...SAFE_RESTORE_STEPS.slice(1, 4),
      { title: "Restore", kind: "automatic", detail: "Restores the backup into the new database with --exit-on-error." },
      { title: "Verify row counts", kind: "automatic", detail: "Every table's row count equals the manifest's." },
      { title: "Deploy the application", kind: "manual", detail: "Deploy the application to the new infrastructure with its configuration from git." },
      { title: "Run the migrations", kind: "manual", detail: "Bring the schema to the release's migration head.", commands: ["alembic upgrade head"] },
      { title: "Health and readiness checks", kind: "automatic", detail: "GETs the configured health and readiness URLs and expects 2xx." },
      { title: "Switch DNS", kind: "manual", detail: "Point the application's DNS names at the new infrastructure." },
      { title: "Monitor for 24–48 hours", kind: "manual", detail: "Watch error rates, latency and backups on the new infrastructure." },
    ],
  },
];

export function scenarioById(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
