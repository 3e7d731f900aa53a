-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "TaskKind" ADD VALUE 'AI_EMBED_BATCH';
ALTER TYPE "TaskKind" ADD VALUE 'AI_GENERATE';
ALTER TYPE "TaskKind" ADD VALUE 'AI_REINDEX_PROJECTS';

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "progress" DOUBLE PRECISION,
ALTER COLUMN "project_id" DROP NOT NULL;
