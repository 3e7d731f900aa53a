-- CreateEnum
CREATE TYPE "Tier" AS ENUM ('FREE', 'PRO', 'ENTERPRISE');

-- CreateEnum
CREATE TYPE "PaymentMethod" AS ENUM ('FIAT', 'TOKEN');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED');

-- CreateEnum
CREATE TYPE "SagaStatus" AS ENUM ('RUNNING', 'COMPLETED', 'COMPENSATING', 'COMPENSATED', 'FAILED');

-- CreateTable
CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "currency" TEXT NOT NULL,
    "method" "PaymentMethod" NOT NULL,
    "status" "PaymentStatus" NOT NULL DEFAULT 'PENDING',
    "purpose" TEXT NOT NULL DEFAULT 'charge',
    "provider_reference" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_events" (
    "id" BIGSERIAL NOT NULL,
    "payment_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "from_status" "PaymentStatus",
    "to_status" "PaymentStatus" NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "user_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response" JSONB,
    "claim_token" TEXT,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("user_id","key")
);

-- CreateTable
CREATE TABLE "processed_webhooks" (
    "event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_webhooks_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "payment_accounts" (
    "user_id" UUID NOT NULL,
    "staked" DECIMAL(78,0) NOT NULL DEFAULT 0,
    "plan_tier" "Tier" NOT NULL DEFAULT 'FREE',
    "tier_sync_pending" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_accounts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "stake_entries" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stake_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "upgrade_sagas" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "tier" "Tier" NOT NULL,
    "previous_tier" "Tier" NOT NULL,
    "previous_plan" "Tier" NOT NULL,
    "payment_id" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "status" "SagaStatus" NOT NULL DEFAULT 'RUNNING',
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "upgrade_sagas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "payments_provider_reference_key" ON "payments"("provider_reference");

-- CreateIndex
CREATE INDEX "payments_user_id_created_at_idx" ON "payments"("user_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "payments_user_id_idempotency_key_key" ON "payments"("user_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "payment_events_payment_id_id_idx" ON "payment_events"("payment_id", "id");

-- CreateIndex
CREATE INDEX "stake_entries_user_id_id_idx" ON "stake_entries"("user_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "stake_entries_user_id_idempotency_key_key" ON "stake_entries"("user_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "upgrade_sagas_payment_id_key" ON "upgrade_sagas"("payment_id");

-- CreateIndex
CREATE INDEX "upgrade_sagas_status_updated_at_idx" ON "upgrade_sagas"("status", "updated_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "outbox_events"("published_at", "id");

-- AddForeignKey
ALTER TABLE "payment_events" ADD CONSTRAINT "payment_events_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Defence in depth: money is positive and stakes never negative, whatever the application does.
-- Triggers rather than CHECK constraints: Prisma's schema engine (Wasm build) fails to introspect
-- a database with CHECK constraints, which would break `npm run migrate:new payments …`.
CREATE FUNCTION "payments_guard_amounts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested, so each branch only reads columns its table has.
  IF TG_TABLE_NAME = 'payments' THEN
    IF NEW."amount" <= 0 THEN RAISE EXCEPTION 'payments.amount must be positive' USING ERRCODE = 'check_violation'; END IF;
  ELSIF TG_TABLE_NAME = 'payment_accounts' THEN
    IF NEW."staked" < 0 THEN RAISE EXCEPTION 'payment_accounts.staked must not be negative' USING ERRCODE = 'check_violation'; END IF;
  ELSIF TG_TABLE_NAME = 'stake_entries' THEN
    IF NEW."amount" = 0 THEN RAISE EXCEPTION 'stake_entries.amount must not be zero' USING ERRCODE = 'check_violation'; END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "payments_guard_amounts" BEFORE INSERT OR UPDATE ON "payments" FOR EACH ROW EXECUTE FUNCTION "payments_guard_amounts"();
CREATE TRIGGER "payment_accounts_guard_amounts" BEFORE INSERT OR UPDATE ON "payment_accounts" FOR EACH ROW EXECUTE FUNCTION "payments_guard_amounts"();
CREATE TRIGGER "stake_entries_guard_amounts" BEFORE INSERT OR UPDATE ON "stake_entries" FOR EACH ROW EXECUTE FUNCTION "payments_guard_amounts"();
