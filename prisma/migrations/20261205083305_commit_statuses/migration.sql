-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "commitStatuses" BOOLEAN NOT NULL DEFAULT true;

