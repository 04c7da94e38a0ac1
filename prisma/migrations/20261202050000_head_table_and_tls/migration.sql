-- The migration head is read from a table and column Lifeboat quotes itself, never from a
-- free-text query. Columns are added and dropped in place (no table rebuild), so columns other
-- migrations add to "Database" are kept.
ALTER TABLE "Database" ADD COLUMN "sslRootCert" TEXT;
ALTER TABLE "Database" ADD COLUMN "migrationHeadKind" TEXT NOT NULL DEFAULT 'alembic';
ALTER TABLE "Database" ADD COLUMN "migrationHeadSchema" TEXT;
ALTER TABLE "Database" ADD COLUMN "migrationHeadTable" TEXT;
ALTER TABLE "Database" ADD COLUMN "migrationHeadColumn" TEXT;
ALTER TABLE "Database" ADD COLUMN "migrationHeadOrderBy" TEXT;
ALTER TABLE "Database" ADD COLUMN "migrationHeadNote" TEXT;

-- Each old query, one line, single spaces, without a trailing semicolon.
CREATE TEMP TABLE "_head_parse" AS
SELECT "id", "migrationHeadQuery" AS "orig",
  trim(rtrim(trim(
    replace(replace(replace(replace(replace(replace("migrationHeadQuery", char(10), ' '), char(13), ' '), char(9), ' '), '    ', ' '), '  ', ' '), '  ', ' ')
  ), ';')) AS "q",
  NULL AS "col", NULL AS "rest", NULL AS "tbl"
FROM "Database";

-- "select <column> from <table>" with plain names: split into its parts.
UPDATE "_head_parse" SET "rest" = substr("q", 8) WHERE lower(substr("q", 1, 7)) = 'select ';
UPDATE "_head_parse" SET "col" = substr("rest", 1, instr("rest", ' ') - 1), "rest" = substr("rest", instr("rest", ' ') + 1)
  WHERE "rest" IS NOT NULL AND instr("rest", ' ') > 1;
UPDATE "_head_parse" SET "tbl" = substr("rest", 6) WHERE "col" IS NOT NULL AND lower(substr("rest", 1, 5)) = 'from ';
-- Only plain names (PostgreSQL folds them to lower case) and at most one dot (schema.table).
UPDATE "_head_parse" SET "tbl" = NULL
  WHERE "tbl" IS NOT NULL AND (
    "col" NOT GLOB '[A-Za-z_]*' OR "col" GLOB '*[^A-Za-z0-9_]*'
    OR "tbl" NOT GLOB '[A-Za-z_]*' OR "tbl" GLOB '*[^A-Za-z0-9_.]*' OR "tbl" GLOB '*.*.*' OR "tbl" GLOB '*.'
    OR "tbl" GLOB '*.[^A-Za-z_]*' OR length("col") > 63 OR length("tbl") > 127
  );

UPDATE "Database" SET
  "migrationHeadKind" = CASE
    WHEN (SELECT lower("col") FROM "_head_parse" p WHERE p."id" = "Database"."id") = 'version_num'
      AND (SELECT lower(CASE WHEN instr("tbl", '.') > 0 THEN substr("tbl", instr("tbl", '.') + 1) ELSE "tbl" END)
           FROM "_head_parse" p WHERE p."id" = "Database"."id") = 'alembic_version' THEN 'alembic'
    WHEN (SELECT "tbl" FROM "_head_parse" p WHERE p."id" = "Database"."id") IS NOT NULL THEN 'custom'
    ELSE 'none'
  END,
  "migrationHeadSchema" = (SELECT CASE WHEN instr("tbl", '.') > 0 THEN lower(substr("tbl", 1, instr("tbl", '.') - 1)) END
    FROM "_head_parse" p WHERE p."id" = "Database"."id");
UPDATE "Database" SET
  "migrationHeadTable" = (SELECT lower(CASE WHEN instr("tbl", '.') > 0 THEN substr("tbl", instr("tbl", '.') + 1) ELSE "tbl" END)
    FROM "_head_parse" p WHERE p."id" = "Database"."id"),
  "migrationHeadColumn" = (SELECT lower("col") FROM "_head_parse" p WHERE p."id" = "Database"."id")
  WHERE "migrationHeadKind" = 'custom';
UPDATE "Database" SET
  "migrationHeadNote" = 'The migration head was read by a query, which Lifeboat no longer runs, and this one is not a plain table and column: "'
    || substr((SELECT "q" FROM "_head_parse" p WHERE p."id" = "Database"."id"), 1, 300)
    || '". Until you choose the migration tool or name the table and column (Edit, then Save), backups and restores record no migration head.'
  WHERE "migrationHeadKind" = 'none';

DROP TABLE "_head_parse";
ALTER TABLE "Database" DROP COLUMN "migrationHeadQuery";
