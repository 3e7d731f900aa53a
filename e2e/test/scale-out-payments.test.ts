import type { RunningServer } from '@supergraph/server';
import { graphql, quietLogger, testConfig } from '@supergraph/testing';
import { startRouter } from '@supergraph/router/src/app';
import { startPaymentsSubgraph, type PaymentsSubgraph } from '@supergraph/payments/src/app';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { paymentFeed } from './payment-feed';

/**
 * Scale-out as deployed: two routers, each in front of its own payments instance (one database,
 * one Redis). A payment made through one router reaches a subscriber held by the other.
 */
jest.setTimeout(90_000);

let payments: PaymentsHarness;
let secondPayments: PaymentsSubgraph;
const routers: RunningServer[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  payments = await startPaymentsHarness({ env: { ADMIN_EMAILS: 'admin@example.com' } });
  secondPayments = await startPaymentsSubgraph(payments.config, quietLogger('payments'));
  for (const instance of [payments.subgraph, secondPayments]) {
    const { config, cleanup } = testConfig({ SUBGRAPH_USERS_URL: `${payments.users.url}/graphql`, SUBGRAPH_PAYMENTS_URL: `${instance.url}/graphql` });
    cleanups.push(cleanup);
    routers.push(await startRouter(config, quietLogger('router')));
  }
});
afterAll(async () => {
  for (const router of routers) await router.stop();
  await secondPayments?.stop();
  await payments?.stop();
  for (const cleanup of cleanups) cleanup();
});

test('paymentUpdated reaches a subscriber on one router when the payment goes through the other', async () => {
  const [subscribedUrl, payingUrl] = routers.map((router) => `${router.url}/graphql`) as [string, string];
  const register = async (email: string) =>
    (await graphql<{ register: { token: string } }>(subscribedUrl, 'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { token } }', { email })).data!.register.token;
  const adminToken = await register('admin@example.com');
  const customerToken = await register('buyer@example.com');
  const feed = paymentFeed({
    subscribeUrl: subscribedUrl,
    subscriberToken: adminToken,
    selection: '{ id status user { email } }',
    payUrl: payingUrl,
    payerToken: customerToken,
  });
  try {
    await feed.live();
    const paymentId = await feed.pay();
    expect(await feed.eventFor(paymentId)).toMatchObject({ id: paymentId, user: { email: 'buyer@example.com' } });
  } finally {
    await feed.dispose();
  }
});
