import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, sendJsonError, type Logger, type Route } from '@supergraph/server';
import type Stripe from 'stripe';
import type { PaymentsMetrics } from '../metrics';
import type { PaymentsService } from '../services/payments';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/**
 * POST /webhooks/stripe. Not signed by the router (Stripe calls it): the Stripe-Signature header
 * is verified with `stripe.webhooks.constructEvent` before anything is read from the body, so a
 * forged or altered event gets 400 and changes nothing. A 5xx makes Stripe retry later.
 */
export function stripeWebhookRoute(options: {
  stripe: Stripe;
  webhookSecret: string;
  payments: PaymentsService;
  logger: Logger;
  metrics: PaymentsMetrics;
  maxBodyBytes: number;
}): Route {
  return async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') return sendJsonError(response, 'METHOD_NOT_ALLOWED', 'POST only');
    const body = await readRawBody(request, options.maxBodyBytes);
    if (!body) return sendJsonError(response, 'REQUEST_TOO_LARGE', 'Webhook body too large');
    const signature = request.headers['stripe-signature'];
    let event: Stripe.Event;
    try {
      event = options.stripe.webhooks.constructEvent(body, Array.isArray(signature) ? (signature[0] ?? '') : (signature ?? ''), options.webhookSecret);
    } catch (error) {
      options.metrics.webhookVerificationFailures.inc();
      options.logger.warn('refused a Stripe webhook', { reason: error instanceof Error ? error.message : String(error) });
      return sendJsonError(response, 'INVALID_SIGNATURE', 'Webhook signature verification failed');
    }
    const result = await options.payments.applyStripeEvent(event);
    options.logger.info('stripe webhook', { event: event.id, type: event.type, result });
    sendJson(response, 200, { received: true, result });
  };
}

/** The exact bytes Stripe signed (null past `limit`): the signature is over the raw body, not parsed JSON. */
async function readRawBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
