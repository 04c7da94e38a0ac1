-- Added with ALTER TABLE rather than a table rebuild, so columns other migrations add to these
-- tables are never copied over by an explicit column list.
ALTER TABLE "Location" ADD COLUMN "retentionDeletesForeign" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Database" ADD COLUMN "retentionMinVerified" INTEGER NOT NULL DEFAULT 3;
