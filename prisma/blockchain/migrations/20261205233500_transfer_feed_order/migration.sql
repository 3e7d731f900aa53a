-- CreateIndex
CREATE INDEX "token_transfers_created_at_tx_hash_log_index_idx" ON "token_transfers"("created_at", "tx_hash", "log_index");
