import type { PaymentsServiceConfig } from '@supergraph/config';
import { badUserInput, clientError, notFound, type Logger } from '@supergraph/server';
import type Stripe from 'stripe';
import { Prisma, type Payment as PaymentRow, type PrismaClient } from '../generated/prisma/client';
import { PaymentMethod, PaymentStatus } from '../generated/prisma/enums';
import { MAX_FIAT_AMOUNT, MAX_TOKEN_AMOUNT, TOKEN_CURRENCY, parseAmount, parseFiatCurrency } from '../domain/money';
import { invalidTransition } from '../domain/payment-status';
import { createPendingPayment, transitionPayment, type Tx } from '../data/payments';
import { runIdempotent, checkIdempotencyKey } from '../data/idempotency';
import type { UsersClient } from '../data/users-client';
import type { IntentOutcome, NextAction, StripeGateway } from '../stripe/gateway';
import { isFromPayer, judgeTransfer, type ChainWatcher, type TokenTransfer, type TransferVerdict } from '../token/chain-watcher';
import { paymentCodec, paymentView, type PaymentView } from './views';
import { isUuid } from './ids';

export interface PaymentsDeps {
  prisma: PrismaClient;
  stripe: StripeGateway;
  users: UsersClient;
  chain: ChainWatcher;
  config: PaymentsServiceConfig;
  logger: Logger;
  /** The $FORGE treasury and the confirmations a transfer needs (from the blockchain subgraph's config). */
  token: { treasury: () => string | undefined; confirmations: number };
  /** Called after a commit that wrote outbox rows, to publish now rather than at the next poll. */
  onCommitted?: () => void;
  /** Runs in the transaction that marks a token payment SUCCEEDED (staking credits its ledger here). */
  onTokenPaymentSucceeded?: (tx: Tx, payment: PaymentRow) => Promise<void>;
  /** Runs after that transaction committed (staking tells the users subgraph the new tier). */
  afterTokenPaymentSucceeded?: (payment: PaymentRow) => Promise<void>;
  /** Runs before a new card payment (createPayment) is charged: returns it held in REVIEW when its fraud score says so. */
  screenCardPayment?: (payment: PaymentRow, paymentMethod: string) => Promise<PaymentRow>;
  /** Runs after a webhook settled a card payment (the upgradePlan saga resumes one it was waiting for). */
  afterCardPaymentSettled?: (payment: PaymentRow) => Promise<void>;
}

const DEFAULT_PAYMENT_METHOD = 'pm_card_visa';
const PAYMENT_METHOD = /^pm_[A-Za-z0-9_]{1,200}$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;

/**
 * Card and token payments and refunds. Every state change goes through `transitionPayment`
 * (row lock, state machine, event log, outbox); every mutation through `runIdempotent`.
 */
export class PaymentsService {
  constructor(readonly deps: PaymentsDeps) {}

  async createFiatPayment(
    userId: string,
    input: { amount: string; currency: string; paymentMethod?: string | null; returnUrl?: string | null },
    idempotencyKey: string,
  ): Promise<PaymentView> {
    const amount = parseAmount(input.amount, MAX_FIAT_AMOUNT);
    const currency = parseFiatCurrency(input.currency);
    const paymentMethod = parsePaymentMethod(input.paymentMethod);
    const returnUrl = parseReturnUrl(input.returnUrl);
    checkIdempotencyKey(idempotencyKey);
    // A payment without a return URL keeps the payload (and so the stored hash) it always had.
    const payload = { amount: amount.toString(), currency, paymentMethod, ...(returnUrl ? { returnUrl } : {}) };
    return runIdempotent(this.deps.prisma, { userId, key: idempotencyKey, operation: 'createPayment', payload }, paymentCodec, async () => {
      const created = await this.findOrCreate({ userId, amount, currency, method: PaymentMethod.FIAT, purpose: 'charge', idempotencyKey });
      const payment = (await this.deps.screenCardPayment?.(created, paymentMethod)) ?? created;
      return paymentView(await this.chargeCard(payment, paymentMethod, returnUrl));
    });
  }

  /**
   * Charges a PENDING card payment: create the intent (nothing charged), record it, confirm it.
   * Safe to call again for the same payment (a retry or a resumed saga): Stripe answers the
   * repeated calls from its idempotency store.
   */
  async chargeCard(payment: PaymentRow, paymentMethod: string, returnUrl?: string): Promise<PaymentRow> {
    if (payment.status !== PaymentStatus.PENDING) return payment;
    let intentId = payment.providerReference;
    if (!intentId) {
      intentId = await this.deps.stripe.createIntent({
        id: payment.id,
        userId: payment.userId,
        amount: BigInt(payment.amount.toFixed(0)),
        currency: payment.currency,
      });
      await this.deps.prisma.payment.updateMany({ where: { id: payment.id, providerReference: null }, data: { providerReference: intentId } });
    }
    const outcome = await this.deps.stripe.confirmIntent(intentId, paymentMethod, payment.id, returnUrl);
    return this.applyIntentOutcome(payment.id, outcome, 'api');
  }

  /** Records what Stripe said about an intent; PENDING and UNCONFIRMED change nothing. */
  async applyIntentOutcome(paymentId: string, outcome: IntentOutcome, source: 'api' | 'webhook', eventId?: string): Promise<PaymentRow> {
    if (outcome.status !== 'SUCCEEDED' && outcome.status !== 'FAILED') {
      return this.deps.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    }
    const to = outcome.status === 'SUCCEEDED' ? PaymentStatus.SUCCEEDED : PaymentStatus.FAILED;
    const { payment } = await this.transaction((tx) =>
      transitionPayment(tx, paymentId, to, {
        type: to === PaymentStatus.SUCCEEDED ? 'succeeded' : 'failed',
        data: { source, intent: outcome.intentId, ...(eventId ? { stripeEvent: eventId } : {}) },
        providerReference: outcome.intentId,
        failureReason: outcome.failureReason ?? null,
      }),
    );
    return payment;
  }

  /**
   * What the card holder must do before Stripe can decide a PENDING card payment (3-D Secure),
   * asked of Stripe each time rather than stored: the client secret lets whoever holds it complete
   * the payment, so it is kept nowhere of ours.
   */
  async nextActionOf(payment: Pick<PaymentView, 'method' | 'status' | 'providerReference'>): Promise<NextAction | null> {
    if (payment.method !== PaymentMethod.FIAT || payment.status !== PaymentStatus.PENDING || !payment.providerReference) return null;
    return (await this.deps.stripe.retrieveIntent(payment.providerReference)).nextAction ?? null;
  }

  async refundPayment(userId: string, paymentId: string, idempotencyKey: string): Promise<PaymentView> {
    checkIdempotencyKey(idempotencyKey);
    const owned = isUuid(paymentId) ? await this.deps.prisma.payment.findFirst({ where: { id: paymentId, userId } }) : null;
    if (!owned) throw notFound('Payment');
    return runIdempotent(this.deps.prisma, { userId, key: idempotencyKey, operation: 'refundPayment', payload: { paymentId } }, paymentCodec, async () => {
      const current = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
      // Asked again with a new key: already refunded is not a refundable state.
      if (current.status !== PaymentStatus.SUCCEEDED) throw invalidTransition(current.status, PaymentStatus.REFUNDED);
      // A plan payment refunded on its own would leave the plan paid for by nobody.
      if (current.purpose !== 'charge') throw clientError('REFUND_NOT_SUPPORTED', `A ${current.purpose} payment is not refunded on its own`);
      return paymentView(await this.refund(paymentId, 'refund'));
    });
  }

  /** Refunds a SUCCEEDED card payment in full (also the saga's compensation). */
  async refund(paymentId: string, type: string): Promise<PaymentRow> {
    const payment = await this.deps.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    if (payment.status === PaymentStatus.REFUNDED) return payment;
    if (payment.status !== PaymentStatus.SUCCEEDED) throw invalidTransition(payment.status, PaymentStatus.REFUNDED);
    if (payment.method !== PaymentMethod.FIAT || !payment.providerReference) {
      throw clientError('REFUND_NOT_SUPPORTED', 'Token payments are refunded on chain by the treasury, not through this API');
    }
    const result = await this.deps.stripe.refund(payment.providerReference, payment.id);
    if (result !== 'SUCCEEDED') throw new Error(`Stripe refund of ${payment.id} is ${result}`);
    const { payment: refunded } = await this.transaction((tx) =>
      transitionPayment(tx, paymentId, PaymentStatus.REFUNDED, { type, data: { intent: payment.providerReference } }),
    );
    return refunded;
  }

  /**
   * A verified Stripe webhook. Applied once per Stripe event id (the insert into
   * processed_webhooks commits with the change); a replay, or an event about a payment we do not
   * know, changes nothing.
   */
  async applyStripeEvent(event: Stripe.Event): Promise<'applied' | 'duplicate' | 'ignored'> {
    const object = event.data.object as { object?: string; id?: string; payment_intent?: string | null; metadata?: Record<string, string> };
    const intentId = object.object === 'payment_intent' ? object.id : (object.payment_intent ?? undefined);
    const paymentId = object.metadata?.paymentId;
    const to =
      event.type === 'payment_intent.succeeded'
        ? PaymentStatus.SUCCEEDED
        : event.type === 'payment_intent.payment_failed' || event.type === 'payment_intent.canceled'
          ? PaymentStatus.FAILED
          : event.type === 'charge.refunded'
            ? PaymentStatus.REFUNDED
            : undefined;
    let lateSuccess: PaymentRow | undefined;
    let settled: PaymentRow | undefined;
    const result = await this.transaction(async (tx): Promise<'applied' | 'duplicate' | 'ignored'> => {
      const { count } = await tx.processedWebhook.createMany({ data: [{ eventId: event.id, type: event.type }], skipDuplicates: true });
      if (count === 0) return 'duplicate';
      if (!to || !intentId) return 'ignored';
      const payment = await tx.payment.findFirst({
        where: { method: PaymentMethod.FIAT, OR: [{ providerReference: intentId }, ...(paymentId && isUuid(paymentId) ? [{ id: paymentId }] : [])] },
      });
      if (!payment) return 'ignored';
      const intent = event.data.object as { last_payment_error?: { code?: string } | null; cancellation_reason?: string | null };
      const failureReason =
        intent.last_payment_error?.code ?? (event.type === 'payment_intent.canceled' ? (intent.cancellation_reason ?? 'canceled') : 'payment_failed');
      try {
        const { changed, payment: after } = await transitionPayment(tx, payment.id, to, {
          type: `webhook:${event.type}`,
          data: { stripeEvent: event.id, intent: intentId },
          providerReference: intentId,
          ...(to === PaymentStatus.FAILED ? { failureReason } : {}),
        });
        if (changed && to !== PaymentStatus.REFUNDED) settled = after;
        return changed ? 'applied' : 'duplicate';
      } catch (transitionError) {
        // Out of order (e.g. a late `payment_failed` after a refund): the event is recorded, the payment kept.
        this.deps.logger.warn('webhook does not apply to the payment state', { event: event.id, payment: payment.id, error: String(transitionError) });
        if (to === PaymentStatus.SUCCEEDED && payment.status === PaymentStatus.FAILED) lateSuccess = payment;
        return 'ignored';
      }
    });
    if (settled) {
      try {
        await this.deps.afterCardPaymentSettled?.(settled);
      } catch (error) {
        // The event is recorded; what it set off is retried by the saga's recovery, not by Stripe.
        this.deps.logger.warn('work after a settled card payment failed; recovery retries it', { event: event.id, payment: settled.id, error: String(error) });
      }
    }
    // Money taken for a payment we already gave up on (e.g. an aborted saga): give it back.
    if (lateSuccess && intentId) {
      try {
        await this.refundLateSuccess(lateSuccess, intentId);
      } catch (error) {
        // Forget the event so Stripe's retry of this webhook tries the refund again.
        await this.deps.prisma.processedWebhook.deleteMany({ where: { eventId: event.id } });
        throw error;
      }
    }
    return result;
  }

  private async refundLateSuccess(payment: PaymentRow, intentId: string): Promise<void> {
    const result = await this.deps.stripe.refund(intentId, payment.id);
    await this.transaction(async (tx) => {
      await tx.paymentEvent.create({
        data: {
          paymentId: payment.id,
          type: 'late_success_refunded',
          fromStatus: payment.status,
          toStatus: payment.status,
          data: { intent: intentId, refund: result },
        },
      });
    });
    this.deps.logger.warn('refunded a charge that succeeded after its payment had failed', { payment: payment.id, intent: intentId, refund: result });
  }

  /**
   * A token payment names a transaction; it holds it (`providerReference`, unique) only once the
   * chain shows the transfer sent from one of the payer's wallets. Anyone can see a fresh
   * transaction hash and name it first: a claim whose sender is known to be someone else is refused
   * with nothing written, and one made before the transfer is on chain stays an unbound PENDING
   * claim that FAILS at settlement, so neither keeps the real payer from paying with their transfer.
   */
  async payWithToken(userId: string, input: { amount: string; txHash: string }, idempotencyKey: string, purpose = 'charge'): Promise<PaymentView> {
    const amount = parseAmount(input.amount, MAX_TOKEN_AMOUNT);
    const txHash = parseTxHash(input.txHash);
    checkIdempotencyKey(idempotencyKey);
    return runIdempotent(
      this.deps.prisma,
      { userId, key: idempotencyKey, operation: purpose === 'stake' ? 'stake' : 'payWithToken', payload: { amount: amount.toString(), txHash } },
      paymentCodec,
      async () => {
        const resumed = await this.findByKey(userId, idempotencyKey);
        if (resumed) return paymentView(await this.settleTokenPayment(resumed, await this.transferOrNothing(txHash)));
        const transfer = await this.transferOrNothing(txHash);
        const payerWallets = await this.deps.users.walletAddresses(userId);
        if (transfer && transfer.status !== 'REMOVED' && !isFromPayer(transfer, payerWallets)) {
          throw badUserInput('This transaction was not sent from a wallet linked to you', 'TRANSFER_NOT_FROM_PAYER', 'txHash');
        }
        if (await this.deps.prisma.payment.findUnique({ where: { providerReference: txHash }, select: { id: true } })) throw transferAlreadyUsed();
        // A verified sender binds the claim as it is written: of concurrent claims, one is created.
        const bound = transfer && transfer.status !== 'REMOVED' ? { providerReference: txHash } : {};
        const payment = await this.findOrCreate({
          userId,
          amount,
          currency: TOKEN_CURRENCY,
          method: PaymentMethod.TOKEN,
          purpose,
          idempotencyKey,
          txHash,
          ...bound,
        });
        return paymentView(await this.settleTokenPayment(payment, transfer, payerWallets));
      },
    );
  }

  /** The chain's answer at mutation time; when it cannot be had the payment stays PENDING for the re-check, never FAILED. */
  private async transferOrNothing(txHash: string): Promise<TokenTransfer | null> {
    try {
      return await this.deps.chain.transferByTx(txHash);
    } catch (error) {
      this.deps.logger.warn('could not ask the chain about a token payment; it stays PENDING and is re-checked', { txHash, error: String(error) });
      return null;
    }
  }

  /**
   * A `blockchain.tokenTransfer` event about a transaction a payment names. The event is a hint
   * that the chain moved, not evidence: the payment is settled on what the chain watcher reads
   * from the node, so an event that is forged (anyone who can publish on Redis) or stale settles
   * nothing by itself.
   */
  async onTokenTransfer(event: Pick<TokenTransfer, 'txHash'>): Promise<PaymentRow[]> {
    const txHash = event.txHash.toLowerCase();
    const claims = await this.deps.prisma.payment.findMany({
      where: { method: PaymentMethod.TOKEN, status: PaymentStatus.PENDING, txHash },
      orderBy: { createdAt: 'asc' },
    });
    if (claims.length === 0) return [];
    const transfer = await this.transferOrNothing(txHash);
    const settled: PaymentRow[] = [];
    for (const claim of claims) settled.push(await this.settleTokenPayment(claim, transfer));
    return settled;
  }

  /**
   * Asks the ChainWatcher about PENDING token payments (catches up on transfer events missed
   * while this process was down, or never heard: pub/sub is at most once, and without REDIS_URL
   * each process has its own bus). Run periodically; returns how many settled.
   */
  async reconcileTokenPayments(olderThanMs = 30_000): Promise<number> {
    const pending = await this.deps.prisma.payment.findMany({
      where: { method: PaymentMethod.TOKEN, status: PaymentStatus.PENDING, createdAt: { lte: new Date(Date.now() - olderThanMs) } },
      orderBy: { createdAt: 'asc' },
      take: 100,
    });
    let settled = 0;
    for (const payment of pending) {
      let transfer: TokenTransfer | null;
      try {
        transfer = await this.deps.chain.transferByTx(payment.txHash!);
      } catch (error) {
        // The chain cannot be asked now (blockchain subgraph down): everything stays PENDING until the next pass.
        this.deps.logger.warn('could not ask the chain about pending token payments; re-checking at the next pass', {
          pending: pending.length,
          error: String(error),
        });
        break;
      }
      if ((await this.settleTokenPayment(payment, transfer)).status !== PaymentStatus.PENDING) settled++;
    }
    return settled;
  }

  /**
   * SUCCEEDED only when the chain shows the transfer to the treasury with enough confirmations. The
   * payment takes its transaction (`providerReference`) as soon as the sender is verified as the
   * payer's: when another payment of theirs took it first, this one FAILS. A FAILED payment holds
   * no transaction.
   */
  async settleTokenPayment(payment: PaymentRow, transfer: TokenTransfer | null, knownPayerWallets?: readonly string[]): Promise<PaymentRow> {
    if (payment.status !== PaymentStatus.PENDING || !transfer) return payment;
    const payerWallets = knownPayerWallets ?? (await this.deps.users.walletAddresses(payment.userId));
    const verdict = judgeTransfer({ amount: BigInt(payment.amount.toFixed(0)) }, transfer, {
      treasury: this.deps.token.treasury(),
      confirmations: this.deps.token.confirmations,
      payerWallets,
    });
    if (verdict.status === 'PENDING') {
      const verifiedSender = transfer.status !== 'REMOVED' && isFromPayer(transfer, payerWallets);
      if (!verifiedSender || payment.providerReference) return payment;
      return (await this.bindTransfer(payment, transfer)) ?? this.failAsAlreadyUsed(payment, transfer);
    }
    try {
      return await this.finishTokenPayment(payment, transfer, verdict);
    } catch (error) {
      if (!isUniqueViolationOf(error, 'provider_reference')) throw error;
      return this.failAsAlreadyUsed(payment, transfer);
    }
  }

  private async finishTokenPayment(
    payment: PaymentRow,
    transfer: TokenTransfer,
    verdict: TransferVerdict & { status: 'SUCCEEDED' | 'FAILED' },
  ): Promise<PaymentRow> {
    const succeeded = verdict.status === 'SUCCEEDED';
    const { payment: settled } = await this.transaction(async (tx) => {
      const result = await transitionPayment(tx, payment.id, succeeded ? PaymentStatus.SUCCEEDED : PaymentStatus.FAILED, {
        type: succeeded ? 'transfer_confirmed' : 'transfer_rejected',
        data: { txHash: transfer.txHash, from: transfer.from, confirmations: transfer.confirmations },
        providerReference: succeeded ? transfer.txHash.toLowerCase() : null,
        failureReason: verdict.status === 'FAILED' ? verdict.reason : null,
      });
      if (result.changed && result.payment.status === PaymentStatus.SUCCEEDED) await this.deps.onTokenPaymentSucceeded?.(tx, result.payment);
      return result;
    });
    if (settled.status === PaymentStatus.SUCCEEDED) await this.deps.afterTokenPaymentSucceeded?.(settled);
    return settled;
  }

  /** The verified payer's claim takes its transaction; null when another payment holds it already. */
  private async bindTransfer(payment: PaymentRow, transfer: TokenTransfer): Promise<PaymentRow | null> {
    try {
      await this.deps.prisma.payment.updateMany({
        where: { id: payment.id, providerReference: null },
        data: { providerReference: transfer.txHash.toLowerCase() },
      });
    } catch (error) {
      if (isUniqueViolationOf(error, 'provider_reference')) return null;
      throw error;
    }
    return this.deps.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
  }

  private async failAsAlreadyUsed(payment: PaymentRow, transfer: TokenTransfer): Promise<PaymentRow> {
    return this.finishTokenPayment(payment, transfer, { status: 'FAILED', reason: 'transaction already pays another payment' });
  }

  private findByKey(userId: string, idempotencyKey: string): Promise<PaymentRow | null> {
    return this.deps.prisma.payment.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
  }

  /** The payment this (user, key) created before, or a new PENDING one: what makes operations resumable. */
  async findOrCreate(data: Parameters<typeof createPendingPayment>[1]): Promise<PaymentRow> {
    const existing = await this.findByKey(data.userId, data.idempotencyKey);
    if (existing) return existing;
    try {
      return await this.transaction((tx) => createPendingPayment(tx, data));
    } catch (error) {
      if (isUniqueViolationOf(error, 'provider_reference')) throw transferAlreadyUsed();
      // A concurrent run for the same key (a lease taken over) created it first.
      if (isUniqueViolationOf(error)) return (await this.findByKey(data.userId, data.idempotencyKey))!;
      throw error;
    }
  }

  /** A transaction that wrote outbox rows: nudge the relay once it committed. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await this.deps.prisma.$transaction(work);
    this.deps.onCommitted?.();
    return result;
  }
}

function transferAlreadyUsed(): Error {
  return badUserInput('This transaction already pays another payment', 'TRANSFER_ALREADY_USED', 'txHash');
}

/** A unique constraint (on `column`, when named: Prisma puts the column or its field in the error's meta) refused the write. */
function isUniqueViolationOf(error: unknown, column?: 'provider_reference'): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  if (!column) return true;
  const target = JSON.stringify(error.meta ?? {});
  return target.includes(column) || target.includes('providerReference');
}

function parsePaymentMethod(raw: string | null | undefined): string {
  const method = raw ?? DEFAULT_PAYMENT_METHOD;
  if (!PAYMENT_METHOD.test(method)) throw badUserInput('paymentMethod must be a Stripe PaymentMethod id (pm_…)', 'BAD_USER_INPUT', 'paymentMethod');
  return method;
}

/** Stripe sends the card holder's browser there: an absolute http(s) URL, of a length Stripe accepts. */
function parseReturnUrl(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    protocol = undefined;
  }
  if ((protocol !== 'https:' && protocol !== 'http:') || raw.length > 2048) {
    throw badUserInput('returnUrl must be an absolute http(s) URL of at most 2048 characters', 'BAD_USER_INPUT', 'returnUrl');
  }
  return raw;
}

function parseTxHash(raw: string): string {
  if (!TX_HASH.test(raw)) throw badUserInput('txHash must be a 0x-prefixed 32-byte transaction hash', 'INVALID_TX_HASH', 'txHash');
  return raw.toLowerCase();
}
