-- CreateEnum
CREATE TYPE "ReviewDecision" AS ENUM ('RELEASED', 'REJECTED');

-- AlterEnum
ALTER TYPE "PaymentStatus" ADD VALUE 'REVIEW';

-- CreateTable
CREATE TABLE "payment_reviews" (
    "payment_id" UUID NOT NULL,
    "risk_score" DOUBLE PRECISION,
    "reason" TEXT NOT NULL,
    "payment_method" TEXT NOT NULL,
    "decision" "ReviewDecision",
    "decided_by" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_reviews_pkey" PRIMARY KEY ("payment_id")
);

-- CreateIndex
CREATE INDEX "payment_reviews_decision_created_at_idx" ON "payment_reviews"("decision", "created_at");

-- AddForeignKey
ALTER TABLE "payment_reviews" ADD CONSTRAINT "payment_reviews_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
