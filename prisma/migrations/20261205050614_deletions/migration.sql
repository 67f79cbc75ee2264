-- Deleting branches and projects from Slipway (issue 14). IF NOT EXISTS: a migration written at the
-- same second by another change may already carry these columns.
-- AlterTable
ALTER TABLE "Branch" ADD COLUMN IF NOT EXISTS "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN IF NOT EXISTS "deletingAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Project" ADD COLUMN IF NOT EXISTS "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN IF NOT EXISTS "deletingAt" TIMESTAMPTZ(3);
