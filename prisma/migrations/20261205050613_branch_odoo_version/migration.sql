-- Branch settings of development branches (issue 14, seed "Odoo version"): another Odoo series
-- than the project's and a pinned image revision; NULL = the project's version / Latest.
-- AlterTable
ALTER TABLE "Branch" ADD COLUMN IF NOT EXISTS "odooRevision" TEXT,
ADD COLUMN IF NOT EXISTS "odooVersion" TEXT;
