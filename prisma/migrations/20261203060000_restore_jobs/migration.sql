-- AlterTable
ALTER TABLE "Database" ADD COLUMN "restoreJobs" INTEGER;

