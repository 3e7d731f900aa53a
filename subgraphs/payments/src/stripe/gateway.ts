import Stripe from 'stripe';

/** What a card payment came to, as Stripe says. */
export interface IntentOutcome {
  intentId: string;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'UNCONFIRMED';
  failureReason?: string;
}

/**
 * The Stripe calls payments makes, through the official SDK. Every write carries an
 * Idempotency-Key derived from our payment id, so a retried call (ours, or the SDK's own network
 * retries) can never create a second intent, confirm twice or refund twice.
 *
 * A charge is two calls: create the intent (charges nothing), record its id, then confirm it. A
 * failure while creating leaves at most an unconfirmed intent; a failure while confirming is
 * settled by retrieving the intent. Neither can leave money taken that we do not know about.
 */
export class StripeGateway {
  constructor(readonly stripe: Stripe) {}

  async createIntent(payment: { id: string; userId: string; amount: bigint; currency: string }): Promise<string> {
    const intent = await this.stripe.paymentIntents.create(
      {
        amount: Number(payment.amount),
        currency: payment.currency.toLowerCase(),
        allowed_payment_method_types: ['card'],
        metadata: { paymentId: payment.id, userId: payment.userId },
      },
      { idempotencyKey: `create-${payment.id}` },
    );
    return intent.id;
  }

  async confirmIntent(intentId: string, paymentMethod: string, paymentId: string): Promise<IntentOutcome> {
    try {
      const intent = await this.stripe.paymentIntents.confirm(intentId, { payment_method: paymentMethod }, { idempotencyKey: `confirm-${paymentId}` });
      return outcomeOf(intent);
    } catch (error) {
      // A declined card is an answer, not an outage: the intent is left requiring a payment method.
      if (error instanceof Stripe.errors.StripeCardError) {
        return { intentId, status: 'FAILED', failureReason: error.code ?? error.message };
      }
      throw error;
    }
  }

  async retrieveIntent(intentId: string): Promise<IntentOutcome> {
    return outcomeOf(await this.stripe.paymentIntents.retrieve(intentId));
  }

  async refund(intentId: string, paymentId: string): Promise<'SUCCEEDED' | 'PENDING' | 'FAILED'> {
    const refund = await this.stripe.refunds.create({ payment_intent: intentId }, { idempotencyKey: `refund-${paymentId}` });
    if (refund.status === 'succeeded') return 'SUCCEEDED';
    if (refund.status === 'failed' || refund.status === 'canceled') return 'FAILED';
    return 'PENDING';
  }
}

export function outcomeOf(intent: Stripe.PaymentIntent): IntentOutcome {
  switch (intent.status) {
    case 'succeeded':
      return { intentId: intent.id, status: 'SUCCEEDED' };
    case 'canceled':
      return { intentId: intent.id, status: 'FAILED', failureReason: intent.cancellation_reason ?? 'canceled' };
    case 'requires_payment_method':
      // Before confirmation this is where every intent starts; after a decline it carries the error.
      return intent.last_payment_error
        ? { intentId: intent.id, status: 'FAILED', failureReason: intent.last_payment_error.code ?? 'payment_failed' }
        : { intentId: intent.id, status: 'UNCONFIRMED' };
    case 'requires_confirmation':
      return { intentId: intent.id, status: 'UNCONFIRMED' };
    default:
      return { intentId: intent.id, status: 'PENDING' };
  }
}

export function createStripeClient(options: { secretKey: string; host?: string; port?: number; protocol?: 'http' | 'https' }): Stripe {
  return new Stripe(options.secretKey, {
    ...(options.host ? { host: options.host } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
    maxNetworkRetries: 2,
    timeout: 15_000,
    telemetry: false,
  });
}
