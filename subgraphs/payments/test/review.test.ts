import { randomUUID } from 'node:crypto';
import { errorCodes } from '@supergraph/testing';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from './harness';

/**
 * The REVIEW hold with screening on and no AI subgraph to score (AI_URL answers nothing): a card
 * payment whose score cannot be had is held, never waved through, and nothing reaches Stripe until
 * an admin decides. Release charges once; reject never charges; of a release and a reject racing,
 * one happens. (The hold for a real, high score, through the router: e2e/test/payment-review.test.ts.)
 */
let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness({ env: { FRAUD_REVIEW_THRESHOLD: '0.65', AI_URL: 'http://127.0.0.1:9/graphql' } });
});
afterAll(() => h?.stop());

const FIELDS = 'id status providerReference failureReason review { riskScore reason decision decidedAt }';
type Reviewed = {
  id: string;
  status: string;
  providerReference: string | null;
  failureReason: string | null;
  review: { riskScore: number | null; reason: string; decision: string | null; decidedAt: string | null } | null;
};
const admin = userIdentity(randomUUID(), ['USER', 'ADMIN']);

async function held(): Promise<Reviewed> {
  const response = await h.call<{ createPayment: Reviewed }>(
    `mutation ($key: String!) { createPayment(amount: "125000", currency: "USD", idempotencyKey: $key) { ${FIELDS} } }`,
    { key: randomUUID() },
    userIdentity(randomUUID()),
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createPayment;
}

const release = (id: string, identity = admin) =>
  h.call<{ releasePayment: Reviewed }>(`mutation ($id: ID!) { releasePayment(id: $id) { ${FIELDS} } }`, { id }, identity);
const reject = (id: string, identity = admin) =>
  h.call<{ rejectPayment: Reviewed }>(`mutation ($id: ID!) { rejectPayment(id: $id, reason: "card testing ring") { ${FIELDS} } }`, { id }, identity);
const intentsOf = (paymentId: string) => [...h.stripe.intents.values()].filter((intent) => intent.metadata.paymentId === paymentId);

test('a payment whose fraud score cannot be had is held in REVIEW with the reason, and nothing is sent to Stripe', async () => {
  const payment = await held();
  expect(payment).toMatchObject({ status: 'REVIEW', providerReference: null, review: null }); // the payer sees no review
  expect(intentsOf(payment.id)).toEqual([]);
  const asAdmin = await h.call<{ paymentsInReview: Reviewed[] }>(`{ paymentsInReview(first: 100) { ${FIELDS} } }`, {}, admin);
  const mine = asAdmin.data!.paymentsInReview.find((p) => p.id === payment.id)!;
  expect(mine.review).toMatchObject({ riskScore: null, decision: null, decidedAt: null });
  expect(mine.review!.reason).toMatch(/^fraud score unavailable: /);
  const log = await h.prisma.paymentEvent.findMany({ where: { paymentId: payment.id }, orderBy: { id: 'asc' } });
  expect(log.map((event) => [event.type, event.toStatus])).toEqual([
    ['created', 'PENDING'],
    ['held_for_review', 'REVIEW'],
  ]);
});

test('an admin releases a held payment: charged once, however often released', async () => {
  const payment = await held();
  const first = await release(payment.id);
  expect(first.errors).toBeUndefined();
  expect(first.data!.releasePayment).toMatchObject({ status: 'SUCCEEDED', review: { decision: 'RELEASED' } });
  const again = await release(payment.id);
  expect(again.errors).toBeUndefined();
  expect(again.data!.releasePayment.status).toBe('SUCCEEDED');
  const intents = intentsOf(payment.id);
  expect(intents).toHaveLength(1);
  expect(intents[0]).toMatchObject({ amount: 125000, status: 'succeeded' });
  expect(h.stripe.requests.filter((request) => request.path === `/v1/payment_intents/${intents[0]!.id}/confirm`).map((r) => r.idempotencyKey)).toEqual(
    expect.arrayContaining([`confirm-${payment.id}`]),
  );
  // A released payment cannot be rejected afterwards.
  expect(errorCodes(await reject(payment.id))).toEqual(['INVALID_PAYMENT_TRANSITION']);
});

test('an admin rejects a held payment: FAILED, never charged; it cannot be released afterwards', async () => {
  const payment = await held();
  const rejected = await reject(payment.id);
  expect(rejected.errors).toBeUndefined();
  expect(rejected.data!.rejectPayment).toMatchObject({ status: 'FAILED', failureReason: 'rejected_in_review', review: { decision: 'REJECTED' } });
  expect(errorCodes(await release(payment.id))).toEqual(['INVALID_PAYMENT_TRANSITION']);
  expect(intentsOf(payment.id)).toEqual([]);
});

test('a release and a reject racing: exactly one outcome, and money moves only if the release won', async () => {
  const payments = await Promise.all([held(), held(), held(), held()]);
  for (const payment of payments) {
    const [released, rejected] = await Promise.all([release(payment.id), reject(payment.id)]);
    const winners = [released, rejected].filter((response) => !response.errors);
    expect(winners).toHaveLength(1);
    expect(errorCodes(released.errors ? released : rejected)).toEqual(['INVALID_PAYMENT_TRANSITION']);
    const row = await h.prisma.payment.findUniqueOrThrow({ where: { id: payment.id }, include: { review: true } });
    if (released.errors) {
      expect(row).toMatchObject({ status: 'FAILED', review: { decision: 'REJECTED' } });
      expect(intentsOf(payment.id)).toEqual([]);
    } else {
      expect(row).toMatchObject({ status: 'SUCCEEDED', review: { decision: 'RELEASED' } });
      expect(intentsOf(payment.id).map((intent) => intent.status)).toEqual(['succeeded']);
    }
  }
});

test('only admins decide: a payer cannot release their own held payment (FORBIDDEN), nor list held payments', async () => {
  const payment = await held();
  const payer = userIdentity(randomUUID());
  expect(errorCodes(await release(payment.id, payer))).toEqual(['FORBIDDEN']);
  expect(errorCodes(await reject(payment.id, payer))).toEqual(['FORBIDDEN']);
  expect(errorCodes(await h.call('{ paymentsInReview { id } }', {}, payer))).toEqual(['FORBIDDEN']);
  expect((await h.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe('REVIEW');
});

test('a payment never held cannot be released or rejected', async () => {
  expect(errorCodes(await release(randomUUID()))).toEqual(['INVALID_PAYMENT_TRANSITION']);
});
