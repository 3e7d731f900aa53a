import { randomUUID } from 'node:crypto';
import { bearer, errorCodes, graphql } from '@supergraph/testing';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
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

type Paid = { id: string; status: string; providerReference: string | null; failureReason: string | null };
const PAID = 'id status providerReference failureReason';

async function signUp(email: string): Promise<{ token: string; userId: string }> {
  const response = await graphql<{ register: { token: string; user: { id: string } } }>(
    url,
    'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { token user { id } } }',
    { email },
  );
  expect(response.errors).toBeUndefined();
  return { token: response.data!.register.token, userId: response.data!.register.user.id };
}

async function pay(token: string, amount: string, paymentMethod = 'pm_card_visa'): Promise<Paid> {
  const response = await graphql<{ createPayment: Paid }>(
    url,
    `mutation ($amount: String!, $key: String!, $pm: String) { createPayment(amount: $amount, currency: "USD", idempotencyKey: $key, paymentMethod: $pm) { ${PAID} } }`,
    { amount, key: randomUUID(), pm: paymentMethod },
    bearer(token),
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createPayment;
}

/** A brand-new account: a burst of small payments, most declined, then 999,999.99 USD. Returns the big one. */
async function riskyPayment(): Promise<{ payer: { token: string; userId: string }; payment: Paid }> {
  const payer = await signUp(`newcomer-${randomUUID()}@example.com`);
  for (let i = 0; i < 10; i++) await pay(payer.token, String(100 + i), i % 3 === 0 ? 'pm_card_visa' : 'pm_card_chargeDeclined');
  return { payer, payment: await pay(payer.token, '99999999') };
}

const intentsOf = (paymentId: string) => [...payments.stripe.intents.values()].filter((intent) => intent.metadata.paymentId === paymentId);

let admin: { token: string; userId: string };
beforeAll(async () => {
  admin = await signUp('review-admin@example.com');
});

test('a risky payment is held in REVIEW, uncharged, with the score the router shows admins; an ordinary one is charged', async () => {
  const regular = await signUp(`regular-${randomUUID()}@example.com`);
  await payments.users.database.prisma.user.update({ where: { id: regular.userId }, data: { createdAt: new Date(Date.now() - 400 * 86_400_000) } });
  const ordinary = await pay(regular.token, '4200');
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
  const RELEASE = `mutation ($id: ID!) { releasePayment(id: $id) { ${PAID} } }`;
  expect(errorCodes(await graphql(url, RELEASE, { id: payment.id }, bearer(payer.token)))).toEqual(['FORBIDDEN']);
  const released = await graphql<{ releasePayment: Paid }>(url, RELEASE, { id: payment.id }, bearer(admin.token));
  expect(released.errors).toBeUndefined();
  expect(released.data!.releasePayment.status).toBe('SUCCEEDED');
  expect(intentsOf(payment.id).map((intent) => [intent.amount, intent.status])).toEqual([[99999999, 'succeeded']]);
});

test('an admin rejects a held payment through the router: FAILED, never charged', async () => {
  const { payment } = await riskyPayment();
  expect(payment.status).toBe('REVIEW');
  const rejected = await graphql<{ rejectPayment: Paid }>(
    url,
    `mutation ($id: ID!) { rejectPayment(id: $id, reason: "stolen card pattern") { ${PAID} } }`,
    { id: payment.id },
    bearer(admin.token),
  );
  expect(rejected.errors).toBeUndefined();
  expect(rejected.data!.rejectPayment).toMatchObject({ status: 'FAILED', failureReason: 'rejected_in_review' });
  expect(intentsOf(payment.id)).toEqual([]);
});
