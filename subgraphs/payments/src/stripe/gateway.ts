import Stripe from 'stripe';

/** What a card payment came to, as Stripe says. */
export interface IntentOutcome {
  intentId: string;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'UNCONFIRMED';
  failureReason?: string;
  /** PENDING because the card holder must act first (3-D Secure): what their client needs for it. */
  nextAction?: NextAction;
}

/** Stripe's `next_action` of an intent that requires action, as a client completes it. */
export interface NextAction {
  /** `use_stripe_sdk` (Stripe.js `handleNextAction` with the client secret) or `redirect_to_url`. */
  type: string;
  clientSecret: string;
  redirectUrl: string | null;
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

  /**
   * `returnUrl`: where Stripe sends the card holder back after authenticating on its own page; with
   * it, a 3-D Secure challenge comes as a `redirect_to_url` next action instead of one for Stripe.js.
   */
  async confirmIntent(intentId: string, paymentMethod: string, paymentId: string, returnUrl?: string): Promise<IntentOutcome> {
    try {
      const intent = await this.stripe.paymentIntents.confirm(
        intentId,
        { payment_method: paymentMethod, ...(returnUrl ? { return_url: returnUrl } : {}) },
        { idempotencyKey: `confirm-${paymentId}` },
      );
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

  /**
   * Cancels an intent nobody may complete any more (an abandoned 3-D Secure challenge). An intent
   * Stripe decided meanwhile cannot be canceled: then its outcome is what counts, so we read it.
   */
  async cancelIntent(intentId: string, paymentId: string): Promise<IntentOutcome> {
    try {
      return outcomeOf(await this.stripe.paymentIntents.cancel(intentId, { cancellation_reason: 'abandoned' }, { idempotencyKey: `cancel-${paymentId}` }));
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state') return this.retrieveIntent(intentId);
      throw error;
    }
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
    case 'requires_action':
      return { intentId: intent.id, status: 'PENDING', nextAction: nextActionOf(intent) };
    default:
      return { intentId: intent.id, status: 'PENDING' };
  }
}

function nextActionOf(intent: Stripe.PaymentIntent): NextAction {
  return {
    type: intent.next_action?.type ?? 'use_stripe_sdk',
    clientSecret: intent.client_secret ?? '',
    redirectUrl: intent.next_action?.redirect_to_url?.url ?? null,
  };
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
