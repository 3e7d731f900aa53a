-- CreateEnum
CREATE TYPE "PayoutStatus" AS ENUM ('PENDING_PAYOUT', 'PAID');

-- AlterTable
ALTER TABLE "stake_entries" ADD COLUMN     "paid_at" TIMESTAMPTZ(3),
ADD COLUMN     "payout_address" TEXT,
ADD COLUMN     "payout_status" "PayoutStatus",
ADD COLUMN     "payout_tx_hash" TEXT;

-- CreateIndex
CREATE INDEX "stake_entries_payout_status_id_idx" ON "stake_entries"("payout_status", "id");
