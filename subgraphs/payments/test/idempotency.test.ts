import { randomUUID } from 'node:crypto';
import { errorCodes } from '@supergraph/testing';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(() => h?.stop());

const CREATE = `mutation ($amount: String!, $currency: String!, $key: String!, $pm: String) {
  createPayment(amount: $amount, currency: $currency, idempotencyKey: $key, paymentMethod: $pm) { id amount currency status providerReference createdAt }
}`;

describe('idempotency keys', () => {
  it('100 concurrent calls with one key: exactly one payment, one Stripe charge, identical responses', async () => {
    const userId = randomUUID();
    const key = randomUUID();
    const identity = userIdentity(userId);
    const responses = await Promise.all(Array.from({ length: 100 }, () => h.call(CREATE, { amount: '4200', currency: 'USD', key }, identity)));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const bodies = new Set(responses.map((response) => JSON.stringify(response.data)));
    expect(bodies.size).toBe(1);
    expect(responses[0]!.data!.createPayment).toMatchObject({ amount: '4200', status: 'SUCCEEDED' });
    expect(await h.prisma.payment.count({ where: { userId } })).toBe(1);
    const intents = [...h.stripe.intents.values()].filter((intent) => intent.metadata.userId === userId);
    expect(intents).toHaveLength(1);
    const confirms = h.stripe.requests.filter((request) => request.path.endsWith('/confirm') && request.path.includes(intents[0]!.id));
    expect(confirms).toHaveLength(1);
    // A retry long after gets the same response too.
    const later = await h.call(CREATE, { amount: '4200', currency: 'USD', key }, identity);
    expect(JSON.stringify(later.data)).toBe([...bodies][0]);
  }, 60_000);

  it('refuses the same key with a different payload, even concurrently, and charges nothing more', async () => {
    const userId = randomUUID();
    const identity = userIdentity(userId);
    const key = randomUUID();
    const first = await h.call(CREATE, { amount: '100', currency: 'USD', key }, identity);
    expect(first.errors).toBeUndefined();
    const others = await Promise.all([
      h.call(CREATE, { amount: '101', currency: 'USD', key }, identity),
      h.call(CREATE, { amount: '100', currency: 'EUR', key }, identity),
      h.call(CREATE, { amount: '100', currency: 'USD', key, pm: 'pm_card_chargeDeclined' }, identity),
      h.call('mutation ($key: String!) { unstake(amount: "1", idempotencyKey: $key) { staked } }', { key }, identity),
    ]);
    for (const response of others) expect(errorCodes(response)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(await h.prisma.payment.count({ where: { userId } })).toBe(1);
  });

  it('keys belong to a user: the same key from two users makes two payments', async () => {
    const key = randomUUID();
    const a = await h.call(CREATE, { amount: '300', currency: 'JPY', key }, userIdentity(randomUUID()));
    const b = await h.call(CREATE, { amount: '300', currency: 'JPY', key }, userIdentity(randomUUID()));
    expect(a.data!.createPayment.id).not.toBe(b.data!.createPayment.id);
  });

  it('a refused request releases its key: the same key works once the input is corrected', async () => {
    const identity = userIdentity(randomUUID());
    const key = randomUUID();
    expect(errorCodes(await h.call(CREATE, { amount: '0', currency: 'USD', key }, identity))).toEqual(['INVALID_AMOUNT']);
    expect(errorCodes(await h.call('mutation ($key: String!) { unstake(amount: "5", idempotencyKey: $key) { staked } }', { key }, identity))).toEqual([
      'INSUFFICIENT_STAKE',
    ]);
    const ok = await h.call(CREATE, { amount: '10', currency: 'USD', key }, identity);
    expect(ok.data!.createPayment.status).toBe('SUCCEEDED');
  });
});
