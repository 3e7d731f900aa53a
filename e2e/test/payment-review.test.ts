import { randomUUID } from 'node:crypto';
import { bearer, errorCodes, graphql } from '@supergraph/testing';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { register, type Account } from './accounts';
import { CARD_PAYMENT_FIELDS, establishedCustomer, payByCard, riskyBurst, type CardPayment } from './card-payments';
import { startAiSubgraph } from './python-subgraph';
import { TestStack } from './stack';

/**
 * The fraud score acts, through the real router with the real model: payments asks the Python AI
 * subgraph to score each card payment before charging it; a risky one is held in REVIEW, nothing
 * charged, until an admin releases it (charged) or rejects it (never charged). An ordinary payment
 * from an established customer goes through.
 */
jest.setTimeout(240_000);

const SECRET = `review-${randomUUID()}`;
const THRESHOLD = 0.6;
const stack = new TestStack();
let payments: PaymentsHarness;
let url: string;

beforeAll(async () => {
  const ai = await stack.add(startAiSubgraph(SECRET));
  payments = await stack.add(
    startPaymentsHarness({
      env: { ROUTER_SIGNING_SECRET: SECRET, ADMIN_EMAILS: 'review-admin@example.com', AI_URL: ai.url, FRAUD_REVIEW_THRESHOLD: String(THRESHOLD) },
    }),
  );
  ({ url } = await stack.router(
    { users: `${payments.users.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, ai: ai.url },
    { ROUTER_SIGNING_SECRET: SECRET, ADMIN_EMAILS: 'review-admin@example.com' },
  ));
});
afterAll(() => stack.stop());

/** A brand-new account's burst of small payments, most declined, then 999,999.99 USD. Returns the big one. */
async function riskyPayment(): Promise<{ payer: Account; payment: CardPayment }> {
  const payer = await register(url, `newcomer-${randomUUID()}@example.com`);
  return { payer, payment: (await riskyBurst(url, payer.token, 10)).at(-1)! };
}

const intentsOf = (paymentId: string) => [...payments.stripe.intents.values()].filter((intent) => intent.metadata.paymentId === paymentId);

let admin: Account;
beforeAll(async () => {
  admin = await register(url, 'review-admin@example.com');
});

test('a risky payment is held in REVIEW, uncharged, with the score the router shows admins; an ordinary one is charged', async () => {
  const regular = await establishedCustomer(url, payments.users, `regular-${randomUUID()}@example.com`);
  const ordinary = await payByCard(url, regular.token, '4200');
  expect(ordinary.status).toBe('SUCCEEDED');

  const { payment } = await riskyPayment();
  expect(payment).toMatchObject({ status: 'REVIEW', providerReference: null });
  expect(intentsOf(payment.id)).toEqual([]);

  const seen = await graphql<{
    paymentsInReview: { id: string; fraudScore: { score: number }; review: { riskScore: number; reason: string; decision: null } }[];
  }>(url, '{ paymentsInReview(first: 100) { id fraudScore { score } review { riskScore reason decision } } }', {}, bearer(admin.token));
  expect(seen.errors).toBeUndefined();
  const held = seen.data!.paymentsInReview.find((p) => p.id === payment.id)!;
  // Payments built the same representation the router builds for Payment.fraudScore: the same score.
  expect(held.review.riskScore).toBe(held.fraudScore.score);
  expect(held.review.riskScore).toBeGreaterThanOrEqual(THRESHOLD);
  expect(held.review.reason).toContain('amount');
  expect(held.review.decision).toBeNull();
  expect(seen.data!.paymentsInReview.map((p) => p.id)).not.toContain(ordinary.id);
});

test('an admin releases a held payment through the router: charged once', async () => {
  const { payer, payment } = await riskyPayment();
  expect(payment.status).toBe('REVIEW');
  const RELEASE = `mutation ($id: ID!) { releasePayment(id: $id) { ${CARD_PAYMENT_FIELDS} } }`;
  expect(errorCodes(await graphql(url, RELEASE, { id: payment.id }, bearer(payer.token)))).toEqual(['FORBIDDEN']);
  const released = await graphql<{ releasePayment: CardPayment }>(url, RELEASE, { id: payment.id }, bearer(admin.token));
  expect(released.errors).toBeUndefined();
  expect(released.data!.releasePayment.status).toBe('SUCCEEDED');
  expect(intentsOf(payment.id).map((intent) => [intent.amount, intent.status])).toEqual([[99999999, 'succeeded']]);
});

test('an admin rejects a held payment through the router: FAILED, never charged', async () => {
  const { payment } = await riskyPayment();
  expect(payment.status).toBe('REVIEW');
  const rejected = await graphql<{ rejectPayment: CardPayment }>(
    url,
    `mutation ($id: ID!) { rejectPayment(id: $id, reason: "stolen card pattern") { ${CARD_PAYMENT_FIELDS} } }`,
    { id: payment.id },
    bearer(admin.token),
  );
  expect(rejected.errors).toBeUndefined();
  expect(rejected.data!.rejectPayment).toMatchObject({ status: 'FAILED', failureReason: 'rejected_in_review' });
  expect(intentsOf(payment.id)).toEqual([]);
});
