-- CreateTable
CREATE TABLE "Metric" (
    "id" UUID NOT NULL,
    "buildId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "cpuPercent" DOUBLE PRECISION,
    "memoryBytes" BIGINT,
    "memoryLimitBytes" BIGINT,
    "dbCpuPercent" DOUBLE PRECISION,
    "dbMemoryBytes" BIGINT,
    "dbConnections" INTEGER,
    "pgConnections" INTEGER,
    "filestoreBytes" BIGINT,
    "databaseBytes" BIGINT,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "avgResponseMs" DOUBLE PRECISION,
    "maxResponseMs" DOUBLE PRECISION,

    CONSTRAINT "Metric_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Metric_buildId_at_idx" ON "Metric"("buildId", "at");

-- CreateIndex
CREATE INDEX "Metric_at_idx" ON "Metric"("at");

-- AddForeignKey
ALTER TABLE "Metric" ADD CONSTRAINT "Metric_buildId_fkey" FOREIGN KEY ("buildId") REFERENCES "Build"("id") ON DELETE CASCADE ON UPDATE CASCADE;

