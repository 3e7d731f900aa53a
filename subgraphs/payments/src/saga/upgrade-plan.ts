import type { PlatformConfig } from '@supergraph/config';
import { badUserInput, clientError, type Logger } from '@supergraph/server';
import type { PrismaClient, UpgradeSaga } from '../generated/prisma/client';
import { PaymentMethod, PaymentStatus, SagaStatus, Tier } from '../generated/prisma/enums';
import { discountedPrice, effectiveTier, feeDiscount, higherTier } from '../domain/tiers';
import { parseFiatCurrency } from '../domain/money';
import { runIdempotent, checkIdempotencyKey } from '../data/idempotency';
import { createPendingPayment, transitionPayment, type Tx } from '../data/payments';
import type { UsersClient } from '../data/users-client';
import { PLAN_CHANGED } from '../events/payment-events';
import type { PaymentsService } from '../services/payments';
import { paymentCodec, paymentView, type PaymentView } from '../services/views';

/** The saga's steps, in order; compensation runs `restoreTier` then `refund`. */
export type SagaStep = 'charge' | 'setTier' | 'confirm' | 'restoreTier' | 'refund';

/**
 * Test-only failure injection, given to the constructor (never read from the environment).
 * `before(step)` may throw to make that step fail; throwing `SagaCrash` instead simulates the
 * process dying there: no compensation runs until `recover()` finds the saga.
 */
export interface SagaFaults {
  before?(step: SagaStep, saga: UpgradeSaga): void | Promise<void>;
}

export class SagaCrash extends Error {}

export interface PlanUpgradeView {
  id: string;
  tier: Tier;
  status: SagaStatus;
  payment: PaymentView;
  error: string | null;
}

/**
 * upgradePlan: charge (Stripe) → set the tier in the users subgraph → confirm (record the plan).
 *
 * The saga row is written before the first step and after every step, so at any moment the
 * database says how far it got. When a later step fails, compensation runs backwards: restore
 * the user's previous tier, refund the charge. Both are idempotent (a tier is set, not toggled;
 * the refund carries Stripe's Idempotency-Key), so `recover()` can run them again after a crash
 * until the saga is COMPENSATED. The outcome is COMPLETED (charged, tier changed, plan recorded)
 * or FAILED/COMPENSATED (no charge kept, tier as before) — never a mix.
 */
export class UpgradePlanSaga {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      payments: PaymentsService;
      users: UsersClient;
      config: PlatformConfig;
      logger: Logger;
      faults?: SagaFaults;
    },
  ) {}

  async upgradePlan(userId: string, tier: Tier, idempotencyKey: string, paymentMethod: string | null | undefined): Promise<PlanUpgradeView> {
    if (tier === Tier.FREE) throw badUserInput('Choose a paid plan: PRO or ENTERPRISE', 'INVALID_PLAN', 'tier');
    checkIdempotencyKey(idempotencyKey);
    const method = paymentMethod ?? 'pm_card_visa';
    const codec = {
      encode: (view: PlanUpgradeView) => ({ ...view, payment: paymentCodec.encode(view.payment) }),
      decode: (stored: unknown) => {
        const view = stored as PlanUpgradeView;
        return { ...view, payment: paymentCodec.decode(view.payment) };
      },
    };
    return runIdempotent(this.deps.prisma, { userId, key: idempotencyKey, operation: 'upgradePlan', payload: { tier, paymentMethod: method } }, codec, async () => {
      const saga = await this.start(userId, tier, idempotencyKey);
      return this.view(await this.run(saga, method));
    });
  }

  /** Creates the saga and its PENDING payment together, or finds them (a retried request). */
  private async start(userId: string, tier: Tier, idempotencyKey: string): Promise<UpgradeSaga> {
    const existing = await this.deps.prisma.payment.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
    if (existing) return this.deps.prisma.upgradeSaga.findUniqueOrThrow({ where: { paymentId: existing.id } });
    const { payments: config } = this.deps.config;
    const account = await this.deps.prisma.paymentAccount.findUnique({ where: { userId } });
    const planTier = account?.planTier ?? Tier.FREE;
    const staked = BigInt(account?.staked.toFixed(0) ?? '0');
    if (higherTier(planTier, tier) === planTier) throw badUserInput(`You are already on the ${planTier} plan`, 'INVALID_PLAN', 'tier');
    const amount = discountedPrice(config.planPrices[tier as 'PRO' | 'ENTERPRISE'], feeDiscount(staked, config));
    const currency = parseFiatCurrency(config.planCurrency);
    return this.deps.payments.transaction(async (tx) => {
      // One upgrade at a time per user (a per-user lock for this transaction), so two plans are never charged at once.
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`upgrade:${userId}`}))::text`;
      const active = await tx.upgradeSaga.count({ where: { userId, status: { in: [SagaStatus.RUNNING, SagaStatus.COMPENSATING] } } });
      if (active > 0) throw clientError('UPGRADE_IN_PROGRESS', 'Another plan upgrade is in progress; try again when it has finished');
      const payment = await createPendingPayment(tx, { userId, amount, currency, method: PaymentMethod.FIAT, purpose: `upgrade:${tier}`, idempotencyKey });
      return tx.upgradeSaga.create({
        data: { userId, tier, previousPlan: planTier, previousTier: effectiveTier(planTier, staked, config), paymentId: payment.id, step: 'STARTED' },
      });
    });
  }

  private async run(saga: UpgradeSaga, paymentMethod: string): Promise<UpgradeSaga> {
    if (saga.status !== SagaStatus.RUNNING) return saga;
    try {
      if (saga.step === 'STARTED') {
        await this.deps.faults?.before?.('charge', saga);
        const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: saga.paymentId } });
        const charged = await this.deps.payments.chargeCard(payment, paymentMethod);
        if (charged.status !== PaymentStatus.SUCCEEDED) {
          // Declined (or not settled at once): nothing was taken that we keep; undo whatever was.
          return this.compensate(saga, `charge ${charged.status.toLowerCase()}: ${charged.failureReason ?? 'not settled'}`);
        }
        saga = await this.advance(saga, 'CHARGED');
      }
      if (saga.step === 'CHARGED') {
        await this.deps.faults?.before?.('setTier', saga);
        const account = await this.deps.prisma.paymentAccount.findUnique({ where: { userId: saga.userId } });
        await this.deps.users.setUserTier(saga.userId, effectiveTier(saga.tier, BigInt(account?.staked.toFixed(0) ?? '0'), this.deps.config.payments));
        saga = await this.advance(saga, 'TIER_SET');
      }
      if (saga.step === 'TIER_SET') {
        await this.deps.faults?.before?.('confirm', saga);
        const current = saga;
        saga = await this.deps.payments.transaction(async (tx) => {
          // Only while still RUNNING: recovery may have started compensating a saga it thought dead.
          const { count } = await tx.upgradeSaga.updateMany({ where: { id: current.id, status: SagaStatus.RUNNING }, data: { step: 'CONFIRMED', status: SagaStatus.COMPLETED } });
          if (count === 0) return tx.upgradeSaga.findUniqueOrThrow({ where: { id: current.id } });
          await tx.paymentAccount.upsert({ where: { userId: current.userId }, create: { userId: current.userId, planTier: current.tier }, update: { planTier: current.tier } });
          await tx.outboxEvent.create({ data: { channel: PLAN_CHANGED, payload: { userId: current.userId, tier: current.tier, sagaId: current.id } } });
          return tx.upgradeSaga.findUniqueOrThrow({ where: { id: current.id } });
        });
      }
      return saga;
    } catch (error) {
      if (error instanceof SagaCrash) throw error;
      this.deps.logger.warn('upgradePlan step failed; compensating', { saga: saga.id, step: saga.step, error: String(error) });
      return this.compensate(saga, error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Undoes what the saga did, newest first: the tier (if it may have been set), then the charge.
   * Idempotent; if it fails the saga stays COMPENSATING and `recover()` tries again.
   */
  async compensate(saga: UpgradeSaga, reason: string): Promise<UpgradeSaga> {
    const { count } = await this.deps.prisma.upgradeSaga.updateMany({
      where: { id: saga.id, status: { in: [SagaStatus.RUNNING, SagaStatus.COMPENSATING] } },
      data: { status: SagaStatus.COMPENSATING, error: saga.error ?? reason },
    });
    saga = await this.deps.prisma.upgradeSaga.findUniqueOrThrow({ where: { id: saga.id } });
    // Finished meanwhile (completed, or compensated by another instance): nothing to undo.
    if (count === 0) return saga;
    if (saga.step !== 'STARTED') {
      await this.deps.faults?.before?.('restoreTier', saga);
      await this.deps.users.setUserTier(saga.userId, saga.previousTier);
    }
    await this.deps.faults?.before?.('refund', saga);
    const payment = await this.settleCharge(saga.paymentId);
    if (payment.status === PaymentStatus.SUCCEEDED) await this.deps.payments.refund(payment.id, 'compensation_refund');
    const refunded = payment.status === PaymentStatus.SUCCEEDED;
    return this.deps.prisma.upgradeSaga.update({
      where: { id: saga.id },
      data: { status: refunded ? SagaStatus.COMPENSATED : SagaStatus.FAILED, step: refunded ? 'REFUNDED' : saga.step },
    });
  }

  /** What the charge really came to: asks Stripe about an intent we may not have heard back about. */
  private async settleCharge(paymentId: string) {
    const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    if (payment.status !== PaymentStatus.PENDING) return payment;
    if (!payment.providerReference) {
      // No intent was recorded, so none was confirmed: nothing can have been charged.
      return (await this.deps.payments.transaction((tx) => this.fail(tx, payment.id, 'saga aborted before charging'))).payment;
    }
    const outcome = await this.deps.payments.deps.stripe.retrieveIntent(payment.providerReference);
    if (outcome.status === 'SUCCEEDED' || outcome.status === 'FAILED') return this.deps.payments.applyIntentOutcome(payment.id, outcome, 'api');
    if (outcome.status === 'UNCONFIRMED') return (await this.deps.payments.transaction((tx) => this.fail(tx, payment.id, 'saga aborted before confirming'))).payment;
    throw new Error(`payment ${payment.id} is still processing at Stripe; compensation will retry`);
  }

  private fail(tx: Tx, paymentId: string, reason: string) {
    return transitionPayment(tx, paymentId, PaymentStatus.FAILED, { type: 'saga_aborted', failureReason: reason });
  }

  /**
   * Finishes sagas a crash left behind (RUNNING or COMPENSATING, untouched for `olderThanMs`):
   * they are compensated. Run at start and periodically.
   */
  async recover(olderThanMs = 60_000): Promise<number> {
    const stale = await this.deps.prisma.upgradeSaga.findMany({
      where: { status: { in: [SagaStatus.RUNNING, SagaStatus.COMPENSATING] }, updatedAt: { lte: new Date(Date.now() - olderThanMs) } },
      orderBy: { updatedAt: 'asc' },
      take: 100,
    });
    let recovered = 0;
    for (const saga of stale) {
      try {
        await this.compensate(saga, saga.error ?? 'interrupted; compensated on recovery');
        recovered++;
      } catch (error) {
        this.deps.logger.warn('saga recovery failed; will retry', { saga: saga.id, error: String(error) });
      }
    }
    return recovered;
  }

  async view(saga: UpgradeSaga): Promise<PlanUpgradeView> {
    const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: saga.paymentId } });
    return { id: saga.id, tier: saga.tier, status: saga.status, payment: paymentView(payment), error: saga.error };
  }

  /** Records a finished step; if the saga is no longer RUNNING (being compensated) it stops going forward. */
  private async advance(saga: UpgradeSaga, step: string): Promise<UpgradeSaga> {
    const { count } = await this.deps.prisma.upgradeSaga.updateMany({ where: { id: saga.id, status: SagaStatus.RUNNING }, data: { step } });
    const current = await this.deps.prisma.upgradeSaga.findUniqueOrThrow({ where: { id: saga.id } });
    if (count === 0) throw new SagaCrash(`saga ${saga.id} is ${current.status}: not going forward`);
    return current;
  }
}
