import { randomUUID } from 'node:crypto';
import { erc20Abi, type Address, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { bearer, graphql } from '@supergraph/testing';
import type { TestChain } from '@supergraph/blockchain/test/chain';
import { REDIS_URL, startPaymentsHarness, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { signUp } from './accounts';
import { startChainStack, type ChainStack } from './chain-stack';
import { fundWallet, linkFreshWallet, transferForge } from './forge-wallets';
import { TestStack } from './stack';

/**
 * Stake → unstake → on-chain payout through the real router: the user stakes $FORGE with a real
 * transfer to the treasury, unstakes, and the treasury pays exactly that amount back to their
 * linked wallet on a real EVM; the unstake shows PENDING_PAYOUT, then PAID with the transaction.
 * Events travel over Redis; payments' recovery covers a blockchain subgraph that was down.
 */
jest.setTimeout(180_000);

const platform = new TestStack();
let stack: ChainStack;
let chain: TestChain;
let payments: PaymentsHarness;
let url: string;

beforeAll(async () => {
  stack = await platform.add(startChainStack('e2e_unstake_blockchain', { REDIS_URL }));
  chain = stack.chain;
  const blockchainUrl = `${stack.blockchain.url}/graphql`;
  payments = await platform.add(startPaymentsHarness({ env: { ...chain.env, BLOCKCHAIN_URL: blockchainUrl } }));
  ({ url } = await platform.router({ users: `${payments.users.url}/graphql`, payments: `${payments.subgraph.url}/graphql`, blockchain: blockchainUrl }));
});
afterAll(() => platform.stop());

interface Staker {
  token: string;
  wallet: PrivateKeyAccount;
}

const forgeBalance = (owner: Address) =>
  chain.clients.public.readContract({ address: chain.deployment.forgeToken, abi: erc20Abi, functionName: 'balanceOf', args: [owner] });

/** Mines a block at a time until `probe` returns something (confirmations come with blocks). */
async function mineUntil<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await chain.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Registers through the router, links a fresh wallet with Sign-In with Ethereum, and funds it with gas and `forge` $FORGE. */
async function newStaker(forge: bigint): Promise<Staker> {
  const token = await signUp(url, `${randomUUID()}@example.com`);
  const wallet = await linkFreshWallet((query, variables = {}) => graphql(url, query, variables, bearer(token)));
  await fundWallet(stack, wallet.address, forge);
  return { token, wallet };
}

/** Transfers `amount` to the treasury and stakes it through the router; waits until the stake is credited. */
async function stake(staker: Staker, amount: bigint): Promise<void> {
  const txHash = await transferForge(chain, staker.wallet, amount);
  const staked = await graphql<{ stake: { id: string; status: string } }>(
    url,
    'mutation ($amount: String!, $txHash: String!, $key: String!) { stake(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id status } }',
    { amount: amount.toString(), txHash, key: randomUUID() },
    bearer(staker.token),
  );
  expect(staked.errors).toBeUndefined();
  await mineUntil(async () => {
    const payment = await payments.prisma.payment.findUniqueOrThrow({ where: { id: staked.data!.stake.id } });
    return payment.status === 'SUCCEEDED' ? payment : undefined;
  }, 'the stake to be credited');
}

const UNSTAKE = `mutation ($amount: String!, $key: String!) {
  unstake(amount: $amount, idempotencyKey: $key) { staked entry { id amount payoutStatus payoutAddress payoutTxHash } }
}`;
const HISTORY = 'query { stakingHistory(first: 1) { id payoutStatus payoutTxHash } }';

async function unstake(staker: Staker, amount: bigint) {
  const response = await graphql<{
    unstake: { staked: string; entry: { id: string; payoutStatus: string; payoutAddress: string; payoutTxHash: string | null } };
  }>(url, UNSTAKE, { amount: amount.toString(), key: randomUUID() }, bearer(staker.token));
  expect(response.errors).toBeUndefined();
  return response.data!.unstake;
}

/** Waits, through the router, until the newest ledger entry is PAID. */
function paid(staker: Staker) {
  return mineUntil(async () => {
    const history = await graphql<{ stakingHistory: { id: string; payoutStatus: string; payoutTxHash: string }[] }>(url, HISTORY, {}, bearer(staker.token));
    const [latest] = history.data!.stakingHistory;
    return latest?.payoutStatus === 'PAID' ? latest : undefined;
  }, 'the unstake to be PAID');
}

test('stake, unstake and the treasury pays exactly the amount back to the linked wallet', async () => {
  const amount = 40n * 10n ** 18n;
  const staker = await newStaker(amount);
  await stake(staker, amount);
  const before = await forgeBalance(staker.wallet.address);

  const unstaked = await unstake(staker, 15n * 10n ** 18n);
  expect(unstaked).toMatchObject({
    staked: (25n * 10n ** 18n).toString(),
    entry: { payoutStatus: 'PENDING_PAYOUT', payoutAddress: staker.wallet.address.toLowerCase(), payoutTxHash: null },
  });

  const settled = await paid(staker);
  expect(settled.id).toBe(unstaked.entry.id);
  expect(await forgeBalance(staker.wallet.address)).toBe(before + 15n * 10n ** 18n);
  const receipt = await chain.clients.public.getTransactionReceipt({ hash: settled.payoutTxHash as Hex });
  expect(receipt.status).toBe('success');
  expect(receipt.to?.toLowerCase()).toBe(chain.deployment.treasury.toLowerCase());
});

test('an unstake made while the blockchain subgraph is down is paid once it is back', async () => {
  const amount = 10n * 10n ** 18n;
  const staker = await newStaker(amount);
  await stake(staker, amount);
  const before = await forgeBalance(staker.wallet.address);

  await stack.stopBlockchain();
  // Nobody hears this unstakeRequested event; payments keeps the entry PENDING_PAYOUT.
  const unstaked = await unstake(staker, amount);
  expect(unstaked.entry.payoutStatus).toBe('PENDING_PAYOUT');
  await payments.subgraph.services.staking.reconcilePayouts(); // the blockchain subgraph is unreachable: nothing happens

  await stack.restartBlockchain();
  // Payments' periodic recovery, run now rather than in 30 s: it asks again, and the payout goes out.
  await payments.subgraph.services.staking.reconcilePayouts();
  const settled = await paid(staker);
  expect(settled.id).toBe(unstaked.entry.id);
  expect(await forgeBalance(staker.wallet.address)).toBe(before + amount);
  // Asking again after it was paid changes nothing.
  await payments.subgraph.services.staking.reconcilePayouts();
  expect(await forgeBalance(staker.wallet.address)).toBe(before + amount);
});
