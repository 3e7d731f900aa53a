-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "tx_hash" TEXT;

-- CreateIndex
CREATE INDEX "payments_tx_hash_idx" ON "payments"("tx_hash");

-- Every token payment names its transaction in tx_hash; only verified ones keep it bound in
-- provider_reference. A FAILED token payment never holds its hash, so a stranger's failed claim
-- made before this migration no longer keeps the real payer from paying with it.
UPDATE "payments" SET "tx_hash" = "provider_reference" WHERE "method" = 'TOKEN';
UPDATE "payments" SET "provider_reference" = NULL WHERE "method" = 'TOKEN' AND "status" = 'FAILED';
