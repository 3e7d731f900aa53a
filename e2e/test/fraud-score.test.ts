import { randomUUID } from 'node:crypto';
import { bearer, errorCodes, graphql } from '@supergraph/testing';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { register } from './accounts';
import { establishedCustomer, payByCard, riskyBurst } from './card-payments';
import { startAiSubgraph } from './python-subgraph';
import { TestStack } from './stack';

/**
 * `Payment.fraudScore` through the real router: the Python AI subgraph scores each payment from
 * real data the router gathers for it — amount and payer activity from payments (@inaccessible
 * fields), the payer's account age from users — and an unusual payment scores higher than an
 * ordinary one.
 */
jest.setTimeout(180_000);

const stack = new TestStack();
let payments: PaymentsHarness;
let url: string;

beforeAll(async () => {
  payments = await stack.add(startPaymentsHarness({ env: { ADMIN_EMAILS: 'fraud-admin@example.com' } }));
  const ai = await stack.add(startAiSubgraph(payments.config.routerSigningSecret));
  ({ url } = await stack.router(
    { users: `${payments.users.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, ai: ai.url },
    { ADMIN_EMAILS: 'fraud-admin@example.com' },
  ));
});
afterAll(() => stack.stop());

type Scored = { amount: string; fraudScore: { score: number; isAnomaly: boolean; reasons: { feature: string }[] } | null };
const PAYMENTS_WITH_SCORES = `query ($id: ID!) {
  user(id: $id) { payments { amount fraudScore { score isAnomaly reasons { feature } } } }
}`;

async function scoredPayments(adminToken: string, userId: string): Promise<Scored[]> {
  const response = await graphql<{ user: { payments: Scored[] } }>(url, PAYMENTS_WITH_SCORES, { id: userId }, bearer(adminToken));
  expect(response.errors).toBeUndefined();
  return response.data!.user.payments;
}

test('an admin sees fraud scores on payments; a huge payment from a brand-new account in a burst scores higher', async () => {
  const admin = await register(url, 'fraud-admin@example.com');

  // An established customer (registered 400 days ago): one ordinary payment of 42.00 USD.
  const regular = await establishedCustomer(url, payments.users, `regular-${randomUUID()}@example.com`);
  await payByCard(url, regular.token, '4200');

  // A brand-new account: a burst of small payments, most of them declined, then 999,999.99 USD.
  const newcomer = await register(url, `newcomer-${randomUUID()}@example.com`);
  await riskyBurst(url, newcomer.token, 10);

  const [ordinary] = await scoredPayments(admin.token, regular.userId);
  const burst = await scoredPayments(admin.token, newcomer.userId);
  expect(burst).toHaveLength(11);
  for (const payment of [ordinary!, ...burst]) {
    expect(payment.fraudScore!.score).toBeGreaterThan(0);
    expect(payment.fraudScore!.score).toBeLessThan(1);
  }
  const huge = burst.find((payment) => payment.amount === '99999999')!;
  expect(huge.fraudScore!.score).toBeGreaterThan(ordinary!.fraudScore!.score + 0.1);
  expect(huge.fraudScore!.isAnomaly).toBe(true);
  expect(huge.fraudScore!.reasons.map((reason) => reason.feature)).toContain('amount');
  expect(ordinary!.fraudScore!.isAnomaly).toBe(false);
});

test('a customer reading their own payments gets no fraud score, with FORBIDDEN', async () => {
  const customer = await register(url, `customer-${randomUUID()}@example.com`);
  await payByCard(url, customer.token, '1999');
  const response = await graphql<{ me: { payments: Scored[] } }>(url, '{ me { payments { amount fraudScore { score } } } }', {}, bearer(customer.token));
  expect(response.data!.me.payments).toEqual([{ amount: '1999', fraudScore: null }]);
  expect(errorCodes(response)).toEqual(['FORBIDDEN']);
});
