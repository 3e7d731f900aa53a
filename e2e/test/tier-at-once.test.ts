import { randomUUID } from 'node:crypto';
import { bearer, graphql, type GraphQLResponse, type UntypedData } from '@supergraph/testing';
import { REDIS_URL, startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { signUp } from './accounts';
import { startChainStack, type ChainStack } from './chain-stack';
import { fundWallet, linkFreshWallet, transferForge } from './forge-wallets';
import { TestStack } from './stack';

/**
 * A tier takes effect at the next request, without a new sign-in: through the real router (on the
 * platform's Redis bus), a user's API key is throttled at FREE's rate limit; after a $FORGE stake
 * (or a plan bought by card) the very next request is under the new tier's limit and a task queued
 * right after gets the new tier's priority; after an unstake both drop back. The token and the API
 * key are the ones issued at the start, carrying FREE throughout.
 */
jest.setTimeout(240_000);

/** Above what the token itself sends (register is anonymous), so only the API key's window fills. */
const FREE_LIMIT = 10;
const FORGE = 10n ** 18n;
/** STAKE_TIERS' default: a stake of 1,000 $FORGE earns PRO. */
const PRO_STAKE = 1_000n * FORGE;

const platform = new TestStack();
let stack: ChainStack;
let payments: PaymentsHarness;
let url: string;

beforeAll(async () => {
  stack = await platform.add(startChainStack('e2e_tier_blockchain', { REDIS_URL }));
  const blockchainUrl = `${stack.blockchain.url}/graphql`;
  payments = await platform.add(startPaymentsHarness({ env: { ...stack.chain.env, BLOCKCHAIN_URL: blockchainUrl } }));
  const projects = await platform.projects({ REDIS_URL });
  ({ url } = await platform.router(
    { users: `${payments.users.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, blockchain: blockchainUrl, projects: `${projects.url}/graphql` },
    // Only signed-in callers are limited here; the window outlasts the test.
    { REDIS_URL, RATE_LIMIT_TIERS: `FREE=${FREE_LIMIT},PRO=1000,ENTERPRISE=1000`, RATE_LIMIT_WINDOW_MS: '600000' },
  ));
});
afterAll(() => platform.stop());

interface Customer {
  userId: string;
  token: string;
  /** A script of the customer's, on an API key: what the rate limit throttles in this test. */
  apiKey: string;
  projectId: string;
}

/** Registers through the router, opens a project and makes a write API key (all on the token, whose window is its own). */
async function newCustomer(): Promise<Customer> {
  const token = await signUp(url, `${randomUUID()}@example.com`);
  const asUser = (query: string, variables: Record<string, unknown> = {}) => graphql<UntypedData>(url, query, variables, bearer(token));
  const project = await asUser('mutation { createProject(name: "Tiered") { id } }');
  const key = await asUser('mutation { createApiKey(name: "script", scopes: ["read", "write"]) { secret } }');
  expect([project.errors, key.errors]).toEqual([undefined, undefined]);
  const { sub: userId } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string };
  return { userId, token, apiKey: key.data!.createApiKey.secret, projectId: project.data!.createProject.id };
}

const viaKey = (customer: Customer, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> =>
  graphql(url, query, variables, { 'x-api-key': customer.apiKey });

const rateLimited = (response: GraphQLResponse) => response.status === 429 && response.errors?.[0]?.extensions?.code === 'RATE_LIMITED';

/** Sends `{ me { id } }` on the API key until the router refuses one; returns how many it let through. */
async function exhaust(customer: Customer): Promise<number> {
  for (let admitted = 0; admitted <= FREE_LIMIT; admitted++) {
    const response = await viaKey(customer, '{ me { id } }');
    if (rateLimited(response)) return admitted;
    expect(response.errors).toBeUndefined();
  }
  throw new Error(`the router let more than ${FREE_LIMIT} requests of a FREE caller through`);
}

const SUBMIT_TASK = 'mutation ($id: ID!) { submitTask(projectId: $id, kind: BUILD) { tier } }';

/** The next request on the API key is admitted and served at `tier`, and a task it queues right after gets `tier`'s priority. */
async function expectServedAt(customer: Customer, tier: string): Promise<void> {
  const next = await viaKey(customer, '{ me { tier } }');
  expect(next.errors).toBeUndefined();
  expect(next.data).toEqual({ me: { tier } });
  const task = await viaKey(customer, SUBMIT_TASK, { id: customer.projectId });
  expect(task.errors).toBeUndefined();
  expect(task.data!.submitTask).toEqual({ tier });
}

/** Waits until the users subgraph (the tier's one home) has `tier` for the customer. */
async function usersSubgraphSays(customer: Customer, tier: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if ((await payments.tierOf(customer.userId)) === tier) return;
    if (Date.now() > deadline) throw new Error(`the users subgraph never had ${tier}`);
    await stack.chain.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a stake lifts the rate limit and task priority at the next request, and an unstake drops them back', async () => {
  const customer = await newCustomer();
  const wallet = await linkFreshWallet((query, variables = {}) => graphql(url, query, variables, bearer(customer.token)));
  await fundWallet(stack, wallet.address, PRO_STAKE);

  expect(await exhaust(customer)).toBe(FREE_LIMIT);

  const txHash = await transferForge(stack.chain, wallet, PRO_STAKE);
  const staked = await graphql(
    url,
    'mutation ($amount: String!, $txHash: String!, $key: String!) { stake(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id } }',
    { amount: PRO_STAKE.toString(), txHash, key: randomUUID() },
    bearer(customer.token),
  );
  expect(staked.errors).toBeUndefined();
  await usersSubgraphSays(customer, 'PRO');

  // The very next request on the same key, whose window is full for FREE, is admitted at PRO's limit.
  await expectServedAt(customer, 'PRO');

  const unstaked = await graphql(
    url,
    'mutation ($amount: String!, $key: String!) { unstake(amount: $amount, idempotencyKey: $key) { staked } }',
    { amount: PRO_STAKE.toString(), key: randomUUID() },
    bearer(customer.token),
  );
  expect(unstaked.errors).toBeUndefined();
  await usersSubgraphSays(customer, 'FREE');

  // Back at FREE: the window still holds more than FREE's limit, so the next request is refused.
  expect(rateLimited(await viaKey(customer, '{ me { tier } }'))).toBe(true);
  // The token's own window is not full: a task it queues is FREE's again, though the token was never renewed.
  const freeTask = await graphql(url, SUBMIT_TASK, { id: customer.projectId }, bearer(customer.token));
  expect(freeTask.errors).toBeUndefined();
  expect(freeTask.data!.submitTask).toEqual({ tier: 'FREE' });
});

test('a plan bought by card serves the next request at its tier', async () => {
  const customer = await newCustomer();
  expect(await exhaust(customer)).toBe(FREE_LIMIT);

  const upgraded = await graphql<{ upgradePlan: { status: string } }>(
    url,
    'mutation ($key: String!) { upgradePlan(tier: ENTERPRISE, idempotencyKey: $key) { status } }',
    { key: randomUUID() },
    bearer(customer.token),
  );
  expect(upgraded.errors).toBeUndefined();
  expect(upgraded.data!.upgradePlan.status).toBe('COMPLETED');

  // No waiting: the saga set the tier before it answered, and the router heard of it.
  await expectServedAt(customer, 'ENTERPRISE');
});
