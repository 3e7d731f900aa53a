-- CreateTable
CREATE TABLE "mev_findings" (
    "id" BIGSERIAL NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_hash" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "attacker" TEXT NOT NULL,
    "victim" TEXT,
    "pool" TEXT,
    "tx_hashes" TEXT[],
    "tx_roles" TEXT[],
    "profit" TEXT,
    "profit_token" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mev_findings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wallet_edges" (
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "block_number" BIGINT NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "asset" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "wallet_edges_pkey" PRIMARY KEY ("tx_hash","log_index")
);

-- CreateTable
CREATE TABLE "wallet_links" (
    "address_a" TEXT NOT NULL,
    "address_b" TEXT NOT NULL,
    "heuristic" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "evidence" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,

    CONSTRAINT "wallet_links_pkey" PRIMARY KEY ("address_a","address_b","heuristic","tx_hash")
);

-- CreateIndex
CREATE INDEX "mev_findings_block_number_idx" ON "mev_findings"("block_number");

-- CreateIndex
CREATE INDEX "mev_findings_tx_hashes_idx" ON "mev_findings" USING GIN ("tx_hashes");

-- CreateIndex
CREATE INDEX "wallet_edges_from_address_block_number_idx" ON "wallet_edges"("from_address", "block_number");

-- CreateIndex
CREATE INDEX "wallet_edges_to_address_block_number_idx" ON "wallet_edges"("to_address", "block_number");

-- CreateIndex
CREATE INDEX "wallet_edges_block_number_idx" ON "wallet_edges"("block_number");

-- CreateIndex
CREATE INDEX "wallet_links_address_b_idx" ON "wallet_links"("address_b");

-- CreateIndex
CREATE INDEX "wallet_links_block_number_idx" ON "wallet_links"("block_number");
