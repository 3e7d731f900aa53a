import { graphql, quietLogger } from '@supergraph/testing';
import { startPaymentsSubgraph } from '@supergraph/payments/src/app';
import { startPaymentsHarness } from '@supergraph/payments/test/harness';
import { paymentFeed } from './payment-feed';
import { TestStack } from './stack';

/**
 * Scale-out as deployed: two routers, each in front of its own payments instance (one database,
 * one Redis). A payment made through one router reaches a subscriber held by the other.
 */
jest.setTimeout(90_000);

const stack = new TestStack();
const routerUrls: string[] = [];

beforeAll(async () => {
  const payments = await stack.add(startPaymentsHarness({ env: { ADMIN_EMAILS: 'admin@example.com' } }));
  const secondPayments = await stack.add(startPaymentsSubgraph(payments.config, quietLogger('payments')));
  for (const instance of [payments.subgraph, secondPayments]) {
    routerUrls.push((await stack.router({ users: `${payments.users.url}/graphql`, payments: `${instance.url}/graphql` })).url);
  }
});
afterAll(() => stack.stop());

test('paymentUpdated reaches a subscriber on one router when the payment goes through the other', async () => {
  const [subscribedUrl, payingUrl] = routerUrls as [string, string];
  const register = async (email: string) =>
    (
      await graphql<{ register: { token: string } }>(
        subscribedUrl,
        'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { token } }',
        { email },
      )
    ).data!.register.token;
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
