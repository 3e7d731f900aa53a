import { randomUUID } from 'node:crypto';
import type { RunningServer } from '@supergraph/server';
import { bearer, errorCodes, graphql, quietLogger, testConfig } from '@supergraph/testing';
import { startRouter } from '@supergraph/router/src/app';
import { startProjectsSubgraph, type ProjectsSubgraph } from '@supergraph/projects/src/app';
import { createTestDatabase, type TestDatabase } from '@supergraph/testing';
import { startPaymentsHarness, type PaymentsHarness } from './harness';

// End to end: the real router in front of the real users, projects and payments subgraphs
// (Postgres, Redis, the Stripe SDK against the local Stripe). A client signs up, creates a
// project and a task, pays and upgrades through /graphql, then reads it all in one query.
let h: PaymentsHarness;
let projects: ProjectsSubgraph;
let projectsDb: TestDatabase;
let router: RunningServer;
let url: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  h = await startPaymentsHarness();
  projectsDb = await createTestDatabase('payments_projects');
  const projectsConfig = testConfig('projects', { PROJECTS_PORT: '0', PROJECTS_DATABASE_URL: projectsDb.url });
  cleanups.push(projectsConfig.cleanup);
  projects = await startProjectsSubgraph(projectsConfig.config, quietLogger('projects'));
  const routerConfig = testConfig('router', {
    SUBGRAPH_USERS_URL: `${h.users.url}/graphql`,
    SUBGRAPH_PROJECTS_URL: `${projects.url}/graphql`,
    SUBGRAPH_PAYMENTS_URL: `${h.subgraph.url}/graphql`,
    RATE_LIMIT_PER_MINUTE: '0',
  });
  cleanups.push(routerConfig.cleanup);
  router = await startRouter(routerConfig.config, quietLogger('router'));
  url = `${router.url}/graphql`;
}, 60_000);
afterAll(async () => {
  await router?.stop();
  await projects?.stop();
  await projectsDb?.drop();
  await h?.stop();
  for (const cleanup of cleanups) cleanup();
});

async function signUp(): Promise<string> {
  const response = await graphql<{ register: { token: string } }>(
    url,
    'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { token } }',
    {
      email: `${randomUUID()}@example.com`,
    },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.register.token;
}

test('one query through the router returns the user with their projects, tasks, payments and fee discount', async () => {
  const token = await signUp();
  const pay = await graphql<{ createPayment: { status: string } }>(
    url,
    'mutation ($key: String!) { createPayment(amount: "1250", currency: "EUR", idempotencyKey: $key) { status } }',
    { key: randomUUID() },
    bearer(token),
  );
  expect(pay.errors).toBeUndefined();
  expect(pay.data!.createPayment.status).toBe('SUCCEEDED');
  const upgrade = await graphql<{ upgradePlan: { status: string } }>(
    url,
    'mutation ($key: String!) { upgradePlan(tier: PRO, idempotencyKey: $key) { status } }',
    { key: randomUUID() },
    bearer(token),
  );
  expect(upgrade.data!.upgradePlan.status).toBe('COMPLETED');

  const project = await graphql<{ createProject: { id: string } }>(url, 'mutation { createProject(name: "ledger") { id } }', {}, bearer(token));
  expect(project.errors).toBeUndefined();
  const task = await graphql(
    url,
    'mutation ($id: ID!) { submitTask(projectId: $id, kind: BUILD) { id } }',
    { id: project.data!.createProject.id },
    bearer(token),
  );
  expect(task.errors).toBeUndefined();

  const me = await graphql<{
    me: {
      id: string;
      tier: string;
      feeDiscount: number;
      projects: { name: string; tasks: { kind: string }[] }[];
      payments: { amount: string; currency: string; status: string; user: { id: string } }[];
    };
  }>(url, '{ me { id tier feeDiscount projects { name tasks { kind } } payments { amount currency status user { id } } } }', {}, bearer(token));
  expect(me.errors).toBeUndefined();
  expect(me.data!.me.projects).toEqual([{ name: 'ledger', tasks: [{ kind: 'BUILD' }] }]);
  expect(me.data!.me.tier).toBe('PRO');
  expect(me.data!.me.feeDiscount).toBe(0);
  expect(me.data!.me.payments).toEqual([
    { amount: '2000', currency: 'USD', status: 'SUCCEEDED', user: { id: me.data!.me.id } },
    { amount: '1250', currency: 'EUR', status: 'SUCCEEDED', user: { id: me.data!.me.id } },
  ]);
});

test("another user's payments stay private through the router", async () => {
  const owner = await signUp();
  const paid = await graphql<{ createPayment: { id: string } }>(
    url,
    'mutation { createPayment(amount: "100", currency: "USD", idempotencyKey: "k1") { id } }',
    {},
    bearer(owner),
  );
  const stranger = await signUp();
  const response = await graphql(url, 'query ($id: ID!) { payment(id: $id) { id } }', { id: paid.data!.createPayment.id }, bearer(stranger));
  expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  expect(errorCodes(await graphql(url, '{ payment(id: "x") { id } }'))).toEqual(['UNAUTHENTICATED']);
});
