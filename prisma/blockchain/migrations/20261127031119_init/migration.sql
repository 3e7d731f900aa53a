-- CreateEnum
CREATE TYPE "TransferStatus" AS ENUM ('PENDING', 'CONFIRMED', 'REMOVED');

-- CreateTable
CREATE TABLE "chain_cursors" (
    "id" TEXT NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "chain_cursors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_blocks" (
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "parent_hash" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "transaction_count" INTEGER NOT NULL,

    CONSTRAINT "processed_blocks_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "token_transfers" (
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_hash" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "status" "TransferStatus" NOT NULL DEFAULT 'PENDING',
    "publish_pending" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "token_transfers_pkey" PRIMARY KEY ("tx_hash","log_index")
);

-- CreateIndex
CREATE INDEX "token_transfers_from_address_block_number_idx" ON "token_transfers"("from_address", "block_number");

-- CreateIndex
CREATE INDEX "token_transfers_to_address_block_number_idx" ON "token_transfers"("to_address", "block_number");

-- CreateIndex
CREATE INDEX "token_transfers_block_number_idx" ON "token_transfers"("block_number");

-- CreateIndex
CREATE INDEX "token_transfers_publish_pending_idx" ON "token_transfers"("publish_pending");
