-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "deployKeyMessage" TEXT,
ADD COLUMN     "deployKeyPublic" TEXT,
ADD COLUMN     "deployKeyStatus" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "webhookMessage" TEXT,
ADD COLUMN     "webhookStatus" TEXT NOT NULL DEFAULT 'none';

-- CreateTable
CREATE TABLE "ProjectSubmodule" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "privateKeyEnc" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectSubmodule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProjectSubmodule_projectId_url_key" ON "ProjectSubmodule"("projectId", "url");

-- AddForeignKey
ALTER TABLE "ProjectSubmodule" ADD CONSTRAINT "ProjectSubmodule_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

