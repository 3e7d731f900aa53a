import { Counter } from 'prom-client';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { ServiceMetrics } from '@supergraph/server';
import { PAYMENT_UPDATED, type PaymentUpdated } from './events/payment-events';

/** The payments subgraph's metrics: what every service exports, and payments, sagas and webhooks. */
export class PaymentsMetrics extends ServiceMetrics {
  readonly processed = new Counter({
    name: 'payments_processed_total',
    help: 'Payments reaching a final status (SUCCEEDED, FAILED, REFUNDED), by method (FIAT, TOKEN) and status; counted once, when the outbox publishes the change.',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });
  readonly sagaSteps = new Counter({
    name: 'payments_saga_steps_total',
    help: 'Saga steps completed, by saga (upgradePlan) and step (AWAITING_CHARGE, CHARGED, TIER_SET, CONFIRMED).',
    labelNames: ['saga', 'step'] as const,
    registers: [this.registry],
  });
  readonly sagaCompensations = new Counter({
    name: 'payments_saga_compensations_total',
    help: 'Sagas undone after a failed step, by saga and outcome (COMPENSATED: refunded; FAILED: nothing had been charged).',
    labelNames: ['saga', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookVerificationFailures = new Counter({
    name: 'payments_webhook_verification_failures_total',
    help: 'Stripe webhooks refused because their signature did not verify.',
    registers: [this.registry],
  });

  constructor() {
    super('payments');
  }

  /**
   * Told of every outbox event published: a payment's change to a final status counts once here
   * (the relay publishes each row once; counting inside the transaction would also count rollbacks).
   */
  published(envelope: OutboxEnvelope): void {
    if (envelope.channel !== PAYMENT_UPDATED) return;
    const { method, status } = envelope.payload as PaymentUpdated;
    if (status !== 'PENDING') this.processed.inc({ method, status });
  }
}
