-- The migration tool's commands per database, shown to people (never executed).
ALTER TABLE "Database" ADD COLUMN "migrationUpgradeCommand" TEXT NOT NULL DEFAULT 'alembic upgrade head';
ALTER TABLE "Database" ADD COLUMN "migrationDowngradeCommand" TEXT NOT NULL DEFAULT 'alembic downgrade -1';
