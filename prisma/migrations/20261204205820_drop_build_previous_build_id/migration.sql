-- AlterTable
ALTER TABLE "Build" DROP COLUMN "previousBuildId";

