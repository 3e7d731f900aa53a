import type { Prisma, Payment as PaymentRow } from '../generated/prisma/client';
import { PaymentStatus, type PaymentMethod } from '../generated/prisma/enums';
import { canTransition, invalidTransition } from '../domain/payment-status';
import { PAYMENT_UPDATED, type PaymentUpdated } from '../events/payment-events';

export type Tx = Prisma.TransactionClient;

/**
 * Every write to a payment goes through here: the read model (`payments`), its append-only log
 * (`payment_events`) and the outgoing `payments.paymentUpdated` (outbox) change in one transaction.
 */
export async function createPendingPayment(
  tx: Tx,
  data: {
    userId: string;
    amount: bigint;
    currency: string;
    method: PaymentMethod;
    purpose: string;
    idempotencyKey: string;
    providerReference?: string;
    txHash?: string;
  },
): Promise<PaymentRow> {
  const payment = await tx.payment.create({
    data: { ...data, amount: data.amount.toString(), status: PaymentStatus.PENDING },
  });
  await tx.paymentEvent.create({ data: { paymentId: payment.id, type: 'created', toStatus: PaymentStatus.PENDING, data: { purpose: data.purpose } } });
  await announce(tx, payment);
  return payment;
}

export interface TransitionChange {
  type: string;
  data?: Record<string, unknown>;
  /** Set when given; null releases it (a FAILED token payment holds no transaction). */
  providerReference?: string | null;
  failureReason?: string | null;
  /** Only from this state (else INVALID_PAYMENT_TRANSITION): a review decision must not act on a payment another decision already moved on. */
  from?: PaymentStatus;
}

/**
 * Moves a payment to `to` under a row lock. Already there: no-op (replayed webhooks, retries).
 * Not allowed from its current state: INVALID_PAYMENT_TRANSITION. Returns the payment and
 * whether this call changed it.
 */
export async function transitionPayment(
  tx: Tx,
  paymentId: string,
  to: PaymentStatus,
  change: TransitionChange,
): Promise<{ payment: PaymentRow; changed: boolean }> {
  await tx.$queryRaw`SELECT id FROM payments WHERE id = ${paymentId}::uuid FOR UPDATE`;
  const current = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
  if (current.status === to) return { payment: current, changed: false };
  if (!canTransition(current.status, to) || (change.from && current.status !== change.from)) throw invalidTransition(current.status, to);
  const payment = await tx.payment.update({
    where: { id: paymentId },
    data: {
      status: to,
      ...(change.providerReference !== undefined ? { providerReference: change.providerReference } : {}),
      ...(change.failureReason !== undefined ? { failureReason: change.failureReason } : {}),
    },
  });
  await tx.paymentEvent.create({
    data: { paymentId, type: change.type, fromStatus: current.status, toStatus: to, data: (change.data ?? {}) as Prisma.InputJsonValue },
  });
  await announce(tx, payment);
  return { payment, changed: true };
}

async function announce(tx: Tx, payment: PaymentRow): Promise<void> {
  const payload: PaymentUpdated = {
    id: payment.id,
    userId: payment.userId,
    status: payment.status,
    method: payment.method,
    amount: payment.amount.toFixed(0),
    currency: payment.currency,
  };
  await tx.outboxEvent.create({ data: { channel: PAYMENT_UPDATED, payload: payload as unknown as Prisma.InputJsonValue } });
}
