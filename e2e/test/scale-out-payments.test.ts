import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningServer } from '@supergraph/server';
import { bearer, graphql, quietLogger, testConfig } from '@supergraph/testing';
import { startRouter } from '@supergraph/router/src/app';
import { startPaymentsSubgraph, type PaymentsSubgraph } from '@supergraph/payments/src/app';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';

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
  const pay = async () => {
    const paid = await graphql<{ createPayment: { id: string } }>(
      payingUrl,
      'mutation ($key: String!) { createPayment(amount: "500", currency: "EUR", idempotencyKey: $key) { id } }',
      { key: randomUUID() },
      bearer(customerToken),
    );
    expect(paid.errors).toBeUndefined();
    return paid.data!.createPayment.id;
  };

  let client: Client | undefined;
  try {
    client = createClient({ url: subscribedUrl.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(adminToken), retryAttempts: 0 });
    const events: { id: string; user: { email: string } }[] = [];
    client.subscribe(
      { query: 'subscription { paymentUpdated { id status user { email } } }' },
      { next: (result) => void (result.data && events.push((result.data as { paymentUpdated: (typeof events)[number] }).paymentUpdated)), error: () => {}, complete: () => {} },
    );
    const eventFor = async (id: string, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const event = events.find((candidate) => candidate.id === id);
        if (event) return event;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    };
    // The upstream subscription goes live asynchronously: pay until one event proves it is.
    while (!(await eventFor(await pay(), 5_000)));

    const paymentId = await pay();
    expect(await eventFor(paymentId)).toMatchObject({ id: paymentId, user: { email: 'buyer@example.com' } });
  } finally {
    await client?.dispose();
  }
});
