import type { RunningServer } from '@supergraph/server';
import { bearer, createTestDatabase, graphql, quietLogger, testConfig, type TestDatabase } from '@supergraph/testing';
import { startRouter } from '@supergraph/router/src/app';
import { startProjectsSubgraph, type ProjectsSubgraph } from '@supergraph/projects/src/app';
import { startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { signUp } from './accounts';
import { paymentFeed } from './payment-feed';
import { startAiSubgraph } from './python-subgraph';

/**
 * The definition of done for federated subscriptions: one subscription at the router
 * whose events carry fields from four subgraphs — payments (the event), users, projects
 * (TypeScript) and the AI subgraph (Python).
 */
jest.setTimeout(120_000);

let payments: PaymentsHarness;
let projects: ProjectsSubgraph;
let projectsDb: TestDatabase;
let ai: { url: string; stop(): Promise<void> };
let router: RunningServer;
let url: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  payments = await startPaymentsHarness({ env: { ADMIN_EMAILS: 'admin@example.com' } });
  projectsDb = await createTestDatabase('e2e_projects');
  const projectsConfig = testConfig({ PROJECTS_PORT: '0', PROJECTS_DATABASE_URL: projectsDb.url });
  cleanups.push(projectsConfig.cleanup);
  projects = await startProjectsSubgraph(projectsConfig.config, quietLogger('projects'));
  ai = await startAiSubgraph(payments.config.routerSigningSecret);
  const routerConfig = testConfig({
    ADMIN_EMAILS: 'admin@example.com',
    SUBGRAPH_USERS_URL: `${payments.users.url}/graphql`,
    SUBGRAPH_PROJECTS_URL: `${projects.url}/graphql`,
    SUBGRAPH_PAYMENTS_URL: `${payments.subgraph.url}/graphql`,
    SUBGRAPH_AI_URL: ai.url,
    RATE_LIMIT_PER_MINUTE: '0',
  });
  cleanups.push(routerConfig.cleanup);
  router = await startRouter(routerConfig.config, quietLogger('router'));
  url = `${router.url}/graphql`;
});
afterAll(async () => {
  await router?.stop();
  await ai?.stop();
  await projects?.stop();
  await projectsDb?.drop();
  await payments?.stop();
  for (const cleanup of cleanups) cleanup();
});

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
    const paymentUpdated = (await feed.eventFor(paymentId)) as Record<string, any> | undefined;
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
