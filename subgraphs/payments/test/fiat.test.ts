import { randomUUID } from 'node:crypto';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { errorCodes } from '@supergraph/testing';
import { signStripePayload } from '../src/stripe/local-stripe';
import { eventually, listen, startPaymentsHarness, STRIPE_WEBHOOK_SECRET, userIdentity, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(() => h?.stop());

const PAYMENT_FIELDS = 'id amount currency method status providerReference failureReason purpose createdAt user { id }';
const CREATE = `mutation ($amount: String!, $currency: String!, $key: String!, $pm: String) {
  createPayment(amount: $amount, currency: $currency, idempotencyKey: $key, paymentMethod: $pm) { ${PAYMENT_FIELDS} }
}`;
const REFUND = `mutation ($id: ID!, $key: String!) { refundPayment(id: $id, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
const PAYMENT = `query ($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} } }`;

type PaymentResult = {
  id: string;
  status: string;
  amount: string;
  currency: string;
  providerReference: string | null;
  failureReason: string | null;
  user: { id: string };
};

async function pay(userId: string, variables: { amount?: string; currency?: string; pm?: string; key?: string } = {}) {
  const response = await h.call<{ createPayment: PaymentResult }>(
    CREATE,
    { amount: '1999', currency: 'USD', key: randomUUID(), ...variables },
    userIdentity(userId),
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createPayment;
}

const statusOf = async (id: string) => (await h.prisma.payment.findUniqueOrThrow({ where: { id } })).status;
const counts = async () => ({
  payments: await h.prisma.payment.count(),
  events: await h.prisma.paymentEvent.count(),
  outbox: await h.prisma.outboxEvent.count(),
  keys: await h.prisma.idempotencyKey.count(),
  intents: h.stripe.intents.size,
});

describe('card payments through the Stripe SDK', () => {
  it('charges a card: SUCCEEDED with the PaymentIntent as provider reference, logged and announced', async () => {
    const userId = randomUUID();
    const events = await listen<OutboxEnvelope<{ id: string; userId: string; status: string }>>('payments.paymentUpdated');
    try {
      const payment = await pay(userId, { amount: '1999', currency: 'eur' });
      expect(payment).toMatchObject({ status: 'SUCCEEDED', amount: '1999', currency: 'EUR', user: { id: userId } });
      const intent = h.stripe.intents.get(payment.providerReference!);
      expect(intent).toMatchObject({ amount: 1999, currency: 'eur', status: 'succeeded', metadata: { paymentId: payment.id, userId } });
      const log = await h.prisma.paymentEvent.findMany({ where: { paymentId: payment.id }, orderBy: { id: 'asc' } });
      expect(log.map((event) => event.toStatus)).toEqual(['PENDING', 'SUCCEEDED']);
      const mine = await eventually(
        async () => events.received.filter((event) => event.payload.id === payment.id),
        (list) => list.length >= 2,
      );
      expect(mine.map((event) => event.payload.status)).toEqual(['PENDING', 'SUCCEEDED']);
      expect(mine[0]).toMatchObject({ channel: 'payments.paymentUpdated', payload: { userId } });
    } finally {
      await events.stop();
    }
  });

  it('records a declined card as FAILED with the reason, and the webhook that follows changes nothing', async () => {
    const payment = await pay(randomUUID(), { pm: 'pm_card_chargeDeclined' });
    expect(payment).toMatchObject({ status: 'FAILED', failureReason: 'card_declined' });
    await eventually(
      () => h.prisma.processedWebhook.count({ where: { type: 'payment_intent.payment_failed' } }),
      (n) => n > 0,
    );
    expect(await statusOf(payment.id)).toBe('FAILED');
  });

  it('settles an asynchronous payment from a signed webhook: success', async () => {
    const payment = await pay(randomUUID(), { pm: 'pm_card_async' });
    expect(payment.status).toBe('PENDING');
    await h.stripe.settle(payment.providerReference!, 'succeeded');
    expect(await statusOf(payment.id)).toBe('SUCCEEDED');
  });

  it('settles an asynchronous payment from a signed webhook: failure', async () => {
    const payment = await pay(randomUUID(), { pm: 'pm_card_async' });
    await h.stripe.settle(payment.providerReference!, 'failed');
    const stored = await h.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(stored).toMatchObject({ status: 'FAILED', failureReason: 'card_declined' });
  });

  it('applies a replayed webhook once: same Stripe event id, no second change', async () => {
    const payment = await pay(randomUUID(), { pm: 'pm_card_async' });
    const event = await h.stripe.settle(payment.providerReference!, 'succeeded');
    const before = await counts();
    expect(await h.stripe.deliver(event)).toBe(200);
    expect(await h.stripe.deliver(event)).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it('refunds a charge that succeeds after its payment was recorded FAILED (money is never kept for a failed payment)', async () => {
    const payment = await pay(randomUUID(), { pm: 'pm_card_async' });
    await h.stripe.settle(payment.providerReference!, 'failed');
    expect(await statusOf(payment.id)).toBe('FAILED');
    const intent = h.stripe.intents.get(payment.providerReference!)!;
    intent.status = 'succeeded';
    await h.stripe.emit('payment_intent.succeeded', intent);
    expect(intent.amount_refunded).toBe(intent.amount);
    expect(await statusOf(payment.id)).toBe('FAILED');
    expect(await h.prisma.paymentEvent.count({ where: { paymentId: payment.id, type: 'late_success_refunded' } })).toBe(1);
  });

  it('refuses webhooks with a bad, missing or stale signature (400) and changes nothing', async () => {
    const payment = await pay(randomUUID(), { pm: 'pm_card_async' });
    const intent = h.stripe.intents.get(payment.providerReference!)!;
    const forged = {
      id: `evt_forged_${randomUUID()}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: { ...intent, status: 'succeeded' } },
    };
    const body = JSON.stringify(forged);
    const url = h.stripe.webhookUrl!;
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.status);
    expect(await post({ 'stripe-signature': signStripePayload(body, 'whsec_wrong') })).toBe(400);
    expect(await post({})).toBe(400);
    expect(await post({ 'stripe-signature': signStripePayload(body, STRIPE_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3600) })).toBe(400);
    // Signed correctly but altered after signing.
    const signature = signStripePayload(body, STRIPE_WEBHOOK_SECRET);
    const altered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: body.replace('succeeded', 'succeeded '),
    });
    expect(altered.status).toBe(400);
    expect(await statusOf(payment.id)).toBe('PENDING');
    expect(await h.prisma.processedWebhook.count({ where: { eventId: forged.id } })).toBe(0);
  });

  it('refunds a SUCCEEDED payment once; refunding again or refunding a FAILED one is an invalid transition', async () => {
    const userId = randomUUID();
    const payment = await pay(userId);
    const key = randomUUID();
    const refunded = await h.call<{ refundPayment: PaymentResult }>(REFUND, { id: payment.id, key }, userIdentity(userId));
    expect(refunded.errors).toBeUndefined();
    expect(refunded.data!.refundPayment.status).toBe('REFUNDED');
    expect(h.stripe.intents.get(payment.providerReference!)!.amount_refunded).toBe(1999);
    // The same request again: the same answer, no second refund.
    const replay = await h.call<{ refundPayment: PaymentResult }>(REFUND, { id: payment.id, key }, userIdentity(userId));
    expect(replay.data).toEqual(refunded.data);
    const again = await h.call(REFUND, { id: payment.id, key: randomUUID() }, userIdentity(userId));
    expect(errorCodes(again)).toEqual(['INVALID_PAYMENT_TRANSITION']);
    const refundCalls = h.stripe.requests.filter((request) => request.path === '/v1/refunds' && request.idempotencyKey === `refund-${payment.id}`);
    expect(refundCalls).toHaveLength(1);

    const failed = await pay(userId, { pm: 'pm_card_chargeDeclined' });
    expect(errorCodes(await h.call(REFUND, { id: failed.id, key: randomUUID() }, userIdentity(userId)))).toEqual(['INVALID_PAYMENT_TRANSITION']);
    expect(await statusOf(failed.id)).toBe('FAILED');
  });

  it("answers NOT_FOUND for someone else's payment, to read or to refund, and changes nothing", async () => {
    const owner = randomUUID();
    const payment = await pay(owner);
    const stranger = userIdentity(randomUUID());
    expect(errorCodes(await h.call(PAYMENT, { id: payment.id }, stranger))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await h.call(REFUND, { id: payment.id, key: randomUUID() }, stranger))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await h.call(PAYMENT, { id: 'not-a-uuid' }, stranger))).toEqual(['NOT_FOUND']);
    expect(await statusOf(payment.id)).toBe('SUCCEEDED');
    const mine = await h.call<{ payment: PaymentResult }>(PAYMENT, { id: payment.id }, userIdentity(owner));
    expect(mine.data!.payment.id).toBe(payment.id);
  });

  it.each([
    ['0', 'USD', 'INVALID_AMOUNT'],
    ['-5', 'USD', 'INVALID_AMOUNT'],
    ['19.99', 'USD', 'INVALID_AMOUNT'],
    ['1e3', 'USD', 'INVALID_AMOUNT'],
    ['abc', 'USD', 'INVALID_AMOUNT'],
    ['100000000', 'USD', 'INVALID_AMOUNT'],
    ['100', 'XYZ', 'UNSUPPORTED_CURRENCY'],
    ['100', 'FORGE', 'UNSUPPORTED_CURRENCY'],
  ])('refuses amount %s %s with %s and writes nothing (not even at Stripe)', async (amount, currency, code) => {
    const before = await counts();
    const response = await h.call(CREATE, { amount, currency, key: randomUUID() }, userIdentity(randomUUID()));
    expect(errorCodes(response)).toEqual([code]);
    expect(response.data).toBeNull();
    expect(await counts()).toEqual(before);
  });

  it('requires a signed-in user and an idempotency key', async () => {
    expect(errorCodes(await h.call(CREATE, { amount: '100', currency: 'USD', key: randomUUID() }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await h.call(CREATE, { amount: '100', currency: 'USD', key: '' }, userIdentity(randomUUID())))).toEqual(['INVALID_IDEMPOTENCY_KEY']);
  });

  it('retries a Stripe outage with the same Idempotency-Key: one intent, one charge', async () => {
    const userId = randomUUID();
    const key = randomUUID();
    h.stripe.failNextRequests = 10; // beyond the SDK's own retries
    const failed = await h.call(CREATE, { amount: '500', currency: 'GBP', key }, userIdentity(userId));
    expect(errorCodes(failed)).toEqual(['INTERNAL_SERVER_ERROR']);
    h.stripe.failNextRequests = 0;
    const retried = await h.call<{ createPayment: PaymentResult }>(CREATE, { amount: '500', currency: 'GBP', key }, userIdentity(userId));
    expect(retried.data!.createPayment.status).toBe('SUCCEEDED');
    expect(await h.prisma.payment.count({ where: { userId } })).toBe(1);
    const intents = [...h.stripe.intents.values()].filter((intent) => intent.metadata.userId === userId);
    expect(intents).toHaveLength(1);
  });
});
