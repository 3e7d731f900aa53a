import { randomUUID } from 'node:crypto';
import { toMajorUnits } from '../src/domain/money';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from './harness';

/**
 * The fields the AI subgraph's `Payment.fraudScore` @requires from payments: kept out of the public
 * API (@inaccessible), fetched by the router through `_entities`, batched so that the payer activity
 * of any number of payments costs one SQL statement.
 */
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(() => h?.stop());

const CREATE = `mutation ($amount: String!, $currency: String!, $key: String!, $pm: String) {
  createPayment(amount: $amount, currency: $currency, idempotencyKey: $key, paymentMethod: $pm) { id status }
}`;
const SIGNALS = `query ($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Payment { id amountInMajorUnits payerPaymentsLast24h payerFailedPaymentsLast24h } }
}`;
type Signals = { id: string; amountInMajorUnits: string; payerPaymentsLast24h: number; payerFailedPaymentsLast24h: number };

async function pay(userId: string, amount = '1999', currency = 'USD', pm = 'pm_card_visa'): Promise<string> {
  const response = await h.call<{ createPayment: { id: string } }>(CREATE, { amount, currency, key: randomUUID(), pm }, userIdentity(userId));
  expect(response.errors).toBeUndefined();
  return response.data!.createPayment.id;
}

async function signals(ids: string[]): Promise<{ signals: Signals[]; statements: number }> {
  const before = h.subgraph.database.sqlStatements();
  const response = await h.call<{ _entities: Signals[] }>(SIGNALS, { reps: ids.map((id) => ({ __typename: 'Payment', id })) }, { kind: 'service' });
  expect(response.errors).toBeUndefined();
  return { signals: response.data!._entities, statements: h.subgraph.database.sqlStatements() - before };
}

test('amounts in major units are exact decimal strings for every currency', () => {
  expect(toMajorUnits(1999n, 'USD')).toBe('19.99');
  expect(toMajorUnits(1990n, 'EUR')).toBe('19.9');
  expect(toMajorUnits(5n, 'GBP')).toBe('0.05');
  expect(toMajorUnits(500n, 'JPY')).toBe('500');
  expect(toMajorUnits(25n * 10n ** 18n, 'FORGE')).toBe('25');
  expect(toMajorUnits(2n ** 256n - 1n, 'FORGE')).toBe('115792089237316195423570985008687907853269984665640564039457.584007913129639935');
});

test("each payment reports the payer's payments and failures in the 24 hours before it, nothing else", async () => {
  const payer = randomUUID();
  const someoneElse = randomUUID();
  const longAgo = await pay(payer, '500', 'JPY');
  // Older than the window: moved back 25 hours, as if it had been made then.
  await h.prisma.payment.update({ where: { id: longAgo }, data: { createdAt: new Date(Date.now() - 25 * 3_600_000) } });
  const first = await pay(payer, '1999');
  const declined = await pay(payer, '1999', 'USD', 'pm_card_chargeDeclined');
  await pay(someoneElse, '2500');
  const last = await pay(payer, '99999999');

  const { signals: found } = await signals([longAgo, first, declined, last]);
  expect(found).toEqual([
    { id: longAgo, amountInMajorUnits: '500', payerPaymentsLast24h: 0, payerFailedPaymentsLast24h: 0 },
    { id: first, amountInMajorUnits: '19.99', payerPaymentsLast24h: 0, payerFailedPaymentsLast24h: 0 },
    { id: declined, amountInMajorUnits: '19.99', payerPaymentsLast24h: 1, payerFailedPaymentsLast24h: 0 },
    { id: last, amountInMajorUnits: '999999.99', payerPaymentsLast24h: 2, payerFailedPaymentsLast24h: 1 },
  ]);
});

test('payments of a burst made in the same millisecond count each other once', async () => {
  const payer = randomUUID();
  const ids = [await pay(payer), await pay(payer), await pay(payer)];
  const sameMoment = new Date();
  await h.prisma.payment.updateMany({ where: { id: { in: ids } }, data: { createdAt: sameMoment } });
  const counts = (await signals(ids)).signals.map((s) => s.payerPaymentsLast24h).sort();
  expect(counts).toEqual([0, 1, 2]);
});

test('the activity of many payments costs one SQL statement: no N+1', async () => {
  // Rows written directly: a charge through Stripe is followed by its webhook, whose statements
  // would land in the middle of the count.
  const payer = randomUUID();
  const start = Date.now() - 3_600_000;
  const rows = Array.from({ length: 12 }, (_, i) => ({
    id: randomUUID(),
    userId: payer,
    amount: 100 + i,
    currency: 'USD',
    method: 'FIAT' as const,
    status: i % 4 === 0 ? ('FAILED' as const) : ('SUCCEEDED' as const),
    idempotencyKey: randomUUID(),
    createdAt: new Date(start + i * 60_000),
  }));
  await h.prisma.payment.createMany({ data: rows });
  const ids = rows.map((row) => row.id);
  const one = await signals(ids.slice(0, 1));
  const twelve = await signals(ids);
  expect(twelve.signals.map((s) => s.payerPaymentsLast24h)).toEqual([...Array(12).keys()]);
  expect(twelve.signals.map((s) => s.payerFailedPaymentsLast24h)).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
  // One statement resolves the Payment references, one the payer activity, however many payments.
  expect(one.statements).toBe(2);
  expect(twelve.statements).toBe(2);
});

test('the signals are no part of the public API, and follow who may read the payment', async () => {
  const payer = randomUUID();
  const id = await pay(payer);
  const stranger = await h.call<{ _entities: (Signals | null)[] }>(SIGNALS, { reps: [{ __typename: 'Payment', id }] }, userIdentity(randomUUID()));
  expect(stranger.data!._entities).toEqual([null]);
  expect(stranger.errors).toBeUndefined();
  const sdl = (await h.call<{ _service: { sdl: string } }>('{ _service { sdl } }', {}, { kind: 'service' })).data!._service.sdl;
  for (const field of [
    'amountInMajorUnits: String! @inaccessible',
    'payerPaymentsLast24h: Int! @inaccessible',
    'payerFailedPaymentsLast24h: Int! @inaccessible',
  ]) {
    expect(sdl).toContain(field);
  }
});
