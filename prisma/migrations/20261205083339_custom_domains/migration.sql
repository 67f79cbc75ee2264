-- AlterTable
ALTER TABLE "Domain" ADD COLUMN     "certificateExpiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastAnswer" TEXT,
ADD COLUMN     "lastCheckedAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastResult" TEXT,
ADD COLUMN     "primary" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Domain_branchId_idx" ON "Domain"("branchId");

