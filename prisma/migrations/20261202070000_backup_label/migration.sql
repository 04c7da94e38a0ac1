-- AlterTable
ALTER TABLE "Backup" ADD COLUMN "label" TEXT;

