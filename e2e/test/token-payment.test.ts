import { randomUUID } from 'node:crypto';
import type { TestChain } from '@supergraph/blockchain/test/chain';
import { REDIS_URL, startPaymentsHarness, userIdentity, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { startChainStack, type ChainStack } from './chain-stack';
import { fundWallet, linkFreshWallet, transferForge } from './forge-wallets';

/**
 * A $FORGE payment settled by a real on-chain transfer: the user signs an ERC-20 transfer to the
 * treasury on a real EVM, the blockchain subgraph follows the chain and announces the transfer
 * over Redis, and each announcement makes payments ask the blockchain subgraph (which reads the
 * node) about that transaction: the payment is SUCCEEDED only once the chain shows the
 * confirmations, promptly, without waiting for the periodic re-check. token-settlement.test.ts
 * settles payments with no event bus at all.
 */
jest.setTimeout(120_000);

let stack: ChainStack;
let chain: TestChain;
let payments: PaymentsHarness;

beforeAll(async () => {
  stack = await startChainStack('e2e_blockchain', { REDIS_URL });
  chain = stack.chain;
  payments = await startPaymentsHarness({ env: { ...chain.env, BLOCKCHAIN_URL: `${stack.blockchain.url}/graphql` } });
});
afterAll(async () => {
  await payments?.stop();
  await stack?.stop();
});

test('payWithToken stays PENDING until the real transfer to the treasury is confirmed, then SUCCEEDS', async () => {
  const { userId } = await payments.register();
  // The payer's wallet is linked to their account with Sign-In with Ethereum, and funded.
  const payer = await linkFreshWallet((query, variables) => payments.callUsers(query, variables, userIdentity(userId)));
  const amount = 25n * 10n ** 18n;
  await fundWallet(stack, payer.address, amount);
  await chain.mine(3);

  // The user pays the treasury on chain, then tells payments which transaction it was.
  const txHash = await transferForge(chain, payer, amount);
  const paid = await payments.call<{ payWithToken: { id: string; status: string } }>(
    'mutation ($amount: String!, $txHash: String!, $key: String!) { payWithToken(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id status } }',
    { amount: amount.toString(), txHash, key: randomUUID() },
    userIdentity(userId),
  );
  expect(paid.errors).toBeUndefined();
  expect(paid.data!.payWithToken.status).toBe('PENDING');

  // Confirmations come with new blocks; the chain follower announces each over Redis.
  const deadline = Date.now() + 60_000;
  let status = 'PENDING';
  while (status === 'PENDING' && Date.now() < deadline) {
    await chain.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = (await payments.prisma.payment.findUniqueOrThrow({ where: { id: paid.data!.payWithToken.id } })).status;
  }
  expect(status).toBe('SUCCEEDED');
});
