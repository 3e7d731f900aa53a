import type { PaymentsServiceConfig } from '@supergraph/config';
import { badUserInput, clientError, type Logger } from '@supergraph/server';
import type { PrismaClient, UpgradeSaga } from '../generated/prisma/client';
import { PaymentMethod, PaymentStatus, SagaStatus, Tier } from '../generated/prisma/enums';
import { discountedPrice, effectiveTier, feeDiscount, higherTier } from '../domain/tiers';
import { parseFiatCurrency } from '../domain/money';
import { runIdempotent, checkIdempotencyKey } from '../data/idempotency';
import { createPendingPayment, transitionPayment, type Tx } from '../data/payments';
import type { UsersClient } from '../data/users-client';
import type { PaymentsMetrics } from '../metrics';
import { PLAN_CHANGED } from '../events/payment-events';
import type { PaymentsService } from '../services/payments';
import type { NextAction } from '../stripe/gateway';
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

/** This saga's name in metrics. */
const SAGA = 'upgradePlan';

/**
 * The step a saga parks in while Stripe has not decided its charge: the card holder must
 * authenticate (3-D Secure) or the charge is processing. The webhook that decides it resumes the
 * saga; past `upgradeChargeTimeoutMs` recovery cancels the intent and compensates.
 */
export const AWAITING_CHARGE = 'AWAITING_CHARGE';
/** Steps before the tier may have been set: compensation has no tier to restore. */
const BEFORE_TIER = ['STARTED', AWAITING_CHARGE];

export interface PlanUpgradeView {
  id: string;
  tier: Tier;
  status: SagaStatus;
  payment: PaymentView;
  error: string | null;
  /** While the saga waits for 3-D Secure: what the card holder's client needs to authenticate. */
  nextAction: NextAction | null;
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
 *
 * A charge Stripe does not decide at once (3-D Secure, processing) parks the saga in
 * AWAITING_CHARGE, and the mutation answers with the PENDING payment and the next action. Whoever
 * moves a saga out of that step — the webhook's resume, recovery's timeout — does so with a
 * conditional update on (status, step), so exactly one of them goes on.
 */
export class UpgradePlanSaga {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      payments: PaymentsService;
      users: UsersClient;
      config: PaymentsServiceConfig;
      logger: Logger;
      metrics: PaymentsMetrics;
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
    return runIdempotent(
      this.deps.prisma,
      { userId, key: idempotencyKey, operation: 'upgradePlan', payload: { tier, paymentMethod: method } },
      codec,
      async () => {
        const saga = await this.start(userId, tier, idempotencyKey);
        return this.view(await this.run(saga, method));
      },
    );
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
    if (saga.status !== SagaStatus.RUNNING || saga.step !== 'STARTED') return this.finish(saga);
    try {
      await this.deps.faults?.before?.('charge', saga);
      const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: saga.paymentId } });
      const charged = await this.deps.payments.chargeCard(payment, paymentMethod);
      if (charged.status === PaymentStatus.PENDING) {
        // Stripe has not decided (3-D Secure, processing): wait for its webhook. It may have come
        // already, before the saga was parked — then nobody else will resume it, so look now.
        const parked = await this.advance(saga, AWAITING_CHARGE);
        return (await this.resumeAfterCharge(charged)) ?? parked;
      }
      if (charged.status !== PaymentStatus.SUCCEEDED) {
        // Declined: nothing was taken that we keep; undo whatever was.
        return this.compensate(saga, `charge ${charged.status.toLowerCase()}: ${charged.failureReason ?? 'not settled'}`);
      }
      return this.finish(await this.advance(saga, 'CHARGED'));
    } catch (error) {
      return this.compensateFailedStep(saga, error);
    }
  }

  /**
   * Stripe decided a charge a saga may be waiting for (its webhook, or recovery noticed): on
   * success the saga goes on to set the tier, on failure it ends FAILED. Replays and a saga that
   * is not waiting change nothing.
   */
  async resumeAfterCharge(payment: { id: string; purpose: string }): Promise<UpgradeSaga | null> {
    if (!payment.purpose.startsWith('upgrade:')) return null;
    const saga = await this.deps.prisma.upgradeSaga.findUnique({ where: { paymentId: payment.id } });
    if (!saga || saga.status !== SagaStatus.RUNNING || saga.step !== AWAITING_CHARGE) return saga;
    const { status, failureReason } = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
    if (status === PaymentStatus.PENDING) return saga;
    const succeeded = status === PaymentStatus.SUCCEEDED;
    const error = succeeded ? null : `charge ${status.toLowerCase()}: ${failureReason ?? 'not settled'}`;
    const claimed = await this.leaveAwaitingCharge(saga, succeeded ? { step: 'CHARGED' } : { status: SagaStatus.COMPENSATING, error });
    if (!claimed) return this.deps.prisma.upgradeSaga.findUniqueOrThrow({ where: { id: saga.id } });
    if (succeeded) this.deps.metrics.sagaSteps.inc({ saga: SAGA, step: 'CHARGED' });
    return succeeded ? this.finish(claimed) : this.compensate(claimed, error!);
  }

  /**
   * A saga that waited longer than `upgradeChargeTimeoutMs`: compensation cancels the intent at
   * Stripe (so the challenge can no longer be completed) and fails the payment — or, if Stripe
   * decided it meanwhile after all, refunds it.
   */
  private async expire(saga: UpgradeSaga): Promise<UpgradeSaga> {
    const error = `charge not completed within ${Math.round(this.deps.config.payments.upgradeChargeTimeoutMs / 1000)} s (3-D Secure or processing); canceled`;
    const claimed = await this.leaveAwaitingCharge(saga, { status: SagaStatus.COMPENSATING, error });
    return claimed ? this.compensate(claimed, error) : this.deps.prisma.upgradeSaga.findUniqueOrThrow({ where: { id: saga.id } });
  }

  /** Moves a saga out of AWAITING_CHARGE if it is still there: null when someone else did first. */
  private async leaveAwaitingCharge(saga: UpgradeSaga, data: { step?: string; status?: SagaStatus; error?: string | null }): Promise<UpgradeSaga | null> {
    const { count } = await this.deps.prisma.upgradeSaga.updateMany({ where: { id: saga.id, status: SagaStatus.RUNNING, step: AWAITING_CHARGE }, data });
    return count === 0 ? null : this.deps.prisma.upgradeSaga.findUniqueOrThrow({ where: { id: saga.id } });
  }

  /** The steps after a successful charge: set the tier in the users subgraph, then confirm. */
  private async finish(saga: UpgradeSaga): Promise<UpgradeSaga> {
    if (saga.status !== SagaStatus.RUNNING) return saga;
    try {
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
          const { count } = await tx.upgradeSaga.updateMany({
            where: { id: current.id, status: SagaStatus.RUNNING },
            data: { step: 'CONFIRMED', status: SagaStatus.COMPLETED },
          });
          if (count === 0) return tx.upgradeSaga.findUniqueOrThrow({ where: { id: current.id } });
          await tx.paymentAccount.upsert({
            where: { userId: current.userId },
            create: { userId: current.userId, planTier: current.tier },
            update: { planTier: current.tier },
          });
          await tx.outboxEvent.create({ data: { channel: PLAN_CHANGED, payload: { userId: current.userId, tier: current.tier, sagaId: current.id } } });
          return tx.upgradeSaga.findUniqueOrThrow({ where: { id: current.id } });
        });
        if (saga.status === SagaStatus.COMPLETED) this.deps.metrics.sagaSteps.inc({ saga: SAGA, step: 'CONFIRMED' });
      }
      return saga;
    } catch (error) {
      return this.compensateFailedStep(saga, error);
    }
  }

  private compensateFailedStep(saga: UpgradeSaga, error: unknown): Promise<UpgradeSaga> {
    if (error instanceof SagaCrash) throw error;
    this.deps.logger.warn('upgradePlan step failed; compensating', { saga: saga.id, step: saga.step, error: String(error) });
    return this.compensate(saga, error instanceof Error ? error.message : String(error));
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
    if (!BEFORE_TIER.includes(saga.step)) {
      await this.deps.faults?.before?.('restoreTier', saga);
      await this.deps.users.setUserTier(saga.userId, saga.previousTier);
    }
    await this.deps.faults?.before?.('refund', saga);
    const payment = await this.settleCharge(saga.paymentId);
    if (payment.status === PaymentStatus.SUCCEEDED) await this.deps.payments.refund(payment.id, 'compensation_refund');
    const refunded = payment.status === PaymentStatus.SUCCEEDED;
    const compensated = await this.deps.prisma.upgradeSaga.update({
      where: { id: saga.id },
      data: { status: refunded ? SagaStatus.COMPENSATED : SagaStatus.FAILED, step: refunded ? 'REFUNDED' : saga.step },
    });
    this.deps.metrics.sagaCompensations.inc({ saga: SAGA, outcome: compensated.status });
    return compensated;
  }

  /** What the charge really came to: asks Stripe about an intent we may not have heard back about. */
  private async settleCharge(paymentId: string) {
    const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    if (payment.status !== PaymentStatus.PENDING) return payment;
    if (!payment.providerReference) {
      // No intent was recorded, so none was confirmed: nothing can have been charged.
      return (await this.deps.payments.transaction((tx) => this.fail(tx, payment.id, 'saga aborted before charging'))).payment;
    }
    const stripe = this.deps.payments.deps.stripe;
    let outcome = await stripe.retrieveIntent(payment.providerReference);
    if (outcome.status === 'UNCONFIRMED')
      return (await this.deps.payments.transaction((tx) => this.fail(tx, payment.id, 'saga aborted before confirming'))).payment;
    // Still undecided (an unfinished 3-D Secure challenge): cancel it, so it can never be charged.
    if (outcome.status === 'PENDING') outcome = await stripe.cancelIntent(payment.providerReference, payment.id);
    if (outcome.status === 'SUCCEEDED' || outcome.status === 'FAILED') return this.deps.payments.applyIntentOutcome(payment.id, outcome, 'api');
    throw new Error(`payment ${payment.id} is still processing at Stripe; compensation will retry`);
  }

  private fail(tx: Tx, paymentId: string, reason: string) {
    return transitionPayment(tx, paymentId, PaymentStatus.FAILED, { type: 'saga_aborted', failureReason: reason });
  }

  /**
   * Finishes sagas a crash left behind (RUNNING or COMPENSATING, untouched for `olderThanMs`):
   * they are compensated. Sagas awaiting their charge are left to wait, unless their charge was
   * decided (a webhook whose resume did not finish: resumed now) or they waited past
   * `upgradeChargeTimeoutMs` (expired). Run at start and periodically; `now` lets tests move time.
   */
  async recover(olderThanMs = 60_000, now = new Date()): Promise<number> {
    const stale = await this.deps.prisma.upgradeSaga.findMany({
      where: { status: { in: [SagaStatus.RUNNING, SagaStatus.COMPENSATING] }, updatedAt: { lte: new Date(now.getTime() - olderThanMs) } },
      orderBy: { updatedAt: 'asc' },
      take: 100,
    });
    const timedOut = now.getTime() - this.deps.config.payments.upgradeChargeTimeoutMs;
    let recovered = 0;
    for (const saga of stale) {
      try {
        if (saga.status === SagaStatus.RUNNING && saga.step === AWAITING_CHARGE) {
          const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: saga.paymentId } });
          if (payment.status !== PaymentStatus.PENDING) await this.resumeAfterCharge(payment);
          else if (saga.updatedAt.getTime() <= timedOut) await this.expire(saga);
          else continue;
        } else {
          await this.compensate(saga, saga.error ?? 'interrupted; compensated on recovery');
        }
        recovered++;
      } catch (error) {
        this.deps.logger.warn('saga recovery failed; will retry', { saga: saga.id, error: String(error) });
      }
    }
    return recovered;
  }

  /** The mutation's answer; a saga waiting for 3-D Secure carries the next action Stripe asks for. */
  async view(saga: UpgradeSaga): Promise<PlanUpgradeView> {
    const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: saga.paymentId } });
    const waiting = saga.status === SagaStatus.RUNNING && saga.step === AWAITING_CHARGE;
    const nextAction = waiting ? await this.deps.payments.nextActionOf(payment) : null;
    return { id: saga.id, tier: saga.tier, status: saga.status, payment: paymentView(payment), error: saga.error, nextAction };
  }

  /** Records a finished step; if the saga is no longer RUNNING (being compensated) it stops going forward. */
  private async advance(saga: UpgradeSaga, step: string): Promise<UpgradeSaga> {
    const { count } = await this.deps.prisma.upgradeSaga.updateMany({ where: { id: saga.id, status: SagaStatus.RUNNING }, data: { step } });
    const current = await this.deps.prisma.upgradeSaga.findUniqueOrThrow({ where: { id: saga.id } });
    if (count === 0) throw new SagaCrash(`saga ${saga.id} is ${current.status}: not going forward`);
    this.deps.metrics.sagaSteps.inc({ saga: SAGA, step });
    return current;
  }
}
