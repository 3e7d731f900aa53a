import { bearer, graphql, type UntypedData } from '@supergraph/testing';
import { startPaymentsHarness } from '@supergraph/payments/test/harness';
import { signUp } from './accounts';
import { paymentFeed } from './payment-feed';
import { startAiSubgraph } from './python-subgraph';
import { TestStack } from './stack';

/**
 * The definition of done for federated subscriptions: one subscription at the router
 * whose events carry fields from four subgraphs — payments (the event), users, projects
 * (TypeScript) and the AI subgraph (Python).
 */
jest.setTimeout(120_000);

const stack = new TestStack();
let url: string;

beforeAll(async () => {
  const payments = await stack.add(startPaymentsHarness({ env: { ADMIN_EMAILS: 'admin@example.com' } }));
  const projects = await stack.projects();
  const ai = await stack.add(startAiSubgraph(payments.config.routerSigningSecret));
  ({ url } = await stack.router(
    { users: `${payments.users.url}/graphql`, projects: `${projects.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, ai: ai.url },
    { ADMIN_EMAILS: 'admin@example.com' },
  ));
});
afterAll(() => stack.stop());

test('paymentUpdated delivers fields from payments, users, projects and the Python AI subgraph', async () => {
  const adminToken = await signUp(url, 'admin@example.com');
  const customerToken = await signUp(url, 'customer@example.com');
  const project = await graphql(url, 'mutation { createProject(name: "Storefront") { id } }', {}, bearer(customerToken));
  expect(project.errors).toBeUndefined();

  const feed = paymentFeed({
    subscribeUrl: url,
    subscriberToken: adminToken,
    selection: '{ id status user { email projects { name } leadScore { score band } } }',
    payUrl: url,
    payerToken: customerToken,
  });
  try {
    await feed.live();
    const paymentId = await feed.pay();
    const paymentUpdated = (await feed.eventFor(paymentId)) as UntypedData | undefined;
    expect(paymentUpdated).toMatchObject({
      id: paymentId,
      user: { email: 'customer@example.com', projects: [{ name: 'Storefront' }] },
    });
    expect(['PENDING', 'SUCCEEDED']).toContain(paymentUpdated!.status);
    expect(paymentUpdated!.user.leadScore.score).toBeGreaterThanOrEqual(0);
    expect(paymentUpdated!.user.leadScore.score).toBeLessThanOrEqual(1);
    expect(['HOT', 'WARM', 'COLD']).toContain(paymentUpdated!.user.leadScore.band);
  } finally {
    await feed.dispose();
  }
});
