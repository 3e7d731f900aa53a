import type { Logger } from '@supergraph/server';
import { badUserInput } from '@supergraph/server';
import { Prisma, type Payment as PaymentRow, type PaymentReview, type PrismaClient } from '../generated/prisma/client';
import { PaymentStatus, ReviewDecision } from '../generated/prisma/enums';
import { transitionPayment } from '../data/payments';
import type { FraudScreen } from '../data/fraud-screen';
import type { PaymentsService } from './payments';
import { paymentView, type PaymentView } from './views';
import { isUuid } from './ids';

export interface PaymentReviewsDeps {
  prisma: PrismaClient;
  payments: PaymentsService;
  /** Null: screening is off (FRAUD_REVIEW_THRESHOLD=off). */
  screen: FraudScreen | null;
  /** A score at or above it holds the payment. */
  threshold: number;
  logger: Logger;
}

/** Why a rejected payment failed, as `failureReason` shows it. */
export const REJECTED_IN_REVIEW = 'rejected_in_review';

/**
 * The fraud score acts: a card payment is scored before anything is charged, and one whose score
 * reaches the threshold — or whose score cannot be had, since an outage of the AI subgraph must not
 * wave payments through — is held in REVIEW with its reason. An admin releases it (charged then, once:
 * Stripe's idempotency keys are the payment's) or rejects it (FAILED, nothing was ever sent to Stripe).
 * Both decisions move the payment out of REVIEW under its row lock, so of a concurrent release and
 * reject exactly one happens and the other is refused.
 */
export class PaymentReviews {
  constructor(private readonly deps: PaymentReviewsDeps) {}

  /** A new card payment, before its charge: returns it unchanged, or held in REVIEW. Screened once (a resumed request finds its review). */
  async screen(payment: PaymentRow, paymentMethod: string): Promise<PaymentRow> {
    if (!this.deps.screen || payment.status !== PaymentStatus.PENDING || payment.providerReference) return payment;
    if (await this.deps.prisma.paymentReview.findUnique({ where: { paymentId: payment.id }, select: { paymentId: true } })) {
      return this.deps.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
    }
    let score: number | null = null;
    let reason: string;
    try {
      const verdict = await this.deps.screen.score(payment);
      if (verdict.score < this.deps.threshold) return payment;
      score = verdict.score;
      reason = `fraud score ${verdict.score} ≥ ${this.deps.threshold} (${verdict.explanation})`;
    } catch (error) {
      reason = `fraud score unavailable: ${error instanceof Error ? error.message : String(error)}`;
      this.deps.logger.warn('a card payment is held for review: its fraud score could not be had', { payment: payment.id, error: String(error) });
    }
    try {
      const held = await this.deps.payments.transaction(async (tx) => {
        await tx.paymentReview.create({ data: { paymentId: payment.id, riskScore: score, reason, paymentMethod } });
        return transitionPayment(tx, payment.id, PaymentStatus.REVIEW, { type: 'held_for_review', data: { score, reason }, from: PaymentStatus.PENDING });
      });
      return held.payment;
    } catch (error) {
      // A concurrent run of the same request held it first.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        return this.deps.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
      }
      throw error;
    }
  }

  /** Charges a held payment; asked again (a retry, a crash after the decision) it charges nothing twice. */
  async release(adminId: string, paymentId: string): Promise<PaymentView> {
    const review = await this.reviewOf(paymentId);
    if (review.decision !== ReviewDecision.RELEASED) {
      await this.decide(adminId, paymentId, ReviewDecision.RELEASED, PaymentStatus.PENDING, { type: 'review_released', data: { by: adminId } });
    }
    const released = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    return paymentView(await this.deps.payments.chargeCard(released, review.paymentMethod));
  }

  /** Fails a held payment; nothing was ever charged, and nothing will be. */
  async reject(adminId: string, paymentId: string, note: string | null): Promise<PaymentView> {
    if (note !== null && note.length > 500) throw badUserInput('reason must be at most 500 characters', 'BAD_USER_INPUT', 'reason');
    await this.reviewOf(paymentId);
    return paymentView(
      await this.decide(adminId, paymentId, ReviewDecision.REJECTED, PaymentStatus.FAILED, {
        type: 'review_rejected',
        data: { by: adminId, ...(note ? { note } : {}) },
        failureReason: REJECTED_IN_REVIEW,
      }),
    );
  }

  /** Held payments no admin has decided yet, oldest first. */
  async pending(first: number): Promise<PaymentView[]> {
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badUserInput('first must be between 1 and 100', 'BAD_USER_INPUT', 'first');
    const reviews = await this.deps.prisma.paymentReview.findMany({
      where: { decision: null },
      orderBy: { createdAt: 'asc' },
      take: first,
      include: { payment: true },
    });
    return reviews.map((review) => paymentView(review.payment));
  }

  /**
   * The decision and the payment's move out of REVIEW commit together, under the payment's row lock:
   * the one that comes second finds the payment moved on and is refused (INVALID_PAYMENT_TRANSITION),
   * unless it is the same decision again.
   */
  private async decide(
    adminId: string,
    paymentId: string,
    decision: ReviewDecision,
    to: PaymentStatus,
    change: { type: string; data: Record<string, unknown>; failureReason?: string },
  ): Promise<PaymentRow> {
    return this.deps.payments.transaction(async (tx) => {
      const { payment, changed } = await transitionPayment(tx, paymentId, to, { ...change, from: PaymentStatus.REVIEW });
      if (changed) {
        await tx.paymentReview.update({ where: { paymentId }, data: { decision, decidedBy: adminId, decidedAt: new Date() } });
        return payment;
      }
      const review = await tx.paymentReview.findUniqueOrThrow({ where: { paymentId } });
      if (review.decision !== decision) throw badUserInput(`This payment was ${review.decision?.toLowerCase() ?? 'not held'}`, 'INVALID_PAYMENT_TRANSITION');
      return payment;
    });
  }

  private async reviewOf(paymentId: string): Promise<PaymentReview> {
    const review = isUuid(paymentId) ? await this.deps.prisma.paymentReview.findUnique({ where: { paymentId } }) : null;
    if (!review) throw badUserInput('This payment was never held for review', 'INVALID_PAYMENT_TRANSITION', 'id');
    return review;
  }
}
