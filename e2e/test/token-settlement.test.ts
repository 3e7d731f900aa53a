import { randomUUID } from 'node:crypto';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import type { TestChain } from '@supergraph/blockchain/test/chain';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { startChainStack, type ChainStack } from './chain-stack';
import { fundWallet, linkFreshWallet, transferForge } from './forge-wallets';

/**
 * Token payments settle by asking the chain, not only from events: the payments and blockchain
 * subgraphs run with NO event bus between them (no REDIS_URL: each has its own in-process bus,
 * as in embedded `npm start`), on a real EVM, and payments asks the blockchain subgraph's
 * service-only transfer lookup when the mutation runs and at its periodic re-check.
 */
jest.setTimeout(120_000);

let stack: ChainStack;
let chain: TestChain;
let payments: PaymentsHarness;

beforeAll(async () => {
  stack = await startChainStack('e2e_settlement_blockchain'); // BLOCKCHAIN_CONFIRMATIONS=2
  chain = stack.chain;
  payments = await startPaymentsHarness({ env: { ...chain.env, BLOCKCHAIN_URL: `${stack.blockchain.url}/graphql`, REDIS_URL: '' } });
});
afterAll(async () => {
  await payments?.stop();
  await stack?.stop();
});

const FORGE = 10n ** 18n;

interface Payer {
  userId: string;
  wallet: PrivateKeyAccount;
}

/** An account with a linked wallet holding gas and `forge` $FORGE. */
async function newPayer(forge: bigint): Promise<Payer> {
  const { userId } = await payments.register();
  const wallet = await linkFreshWallet((query, variables) => payments.callUsers(query, variables, userIdentity(userId)));
  await fundWallet(stack, wallet.address, forge);
  return { userId, wallet };
}

interface PaymentAnswer {
  id: string;
  status: string;
  failureReason: string | null;
}

async function payWithToken(payer: Payer, amount: bigint, txHash: Hex): Promise<PaymentAnswer> {
  const response = await payments.call<{ payWithToken: PaymentAnswer }>(
    'mutation ($amount: String!, $txHash: String!, $key: String!) { payWithToken(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id status failureReason } }',
    { amount: amount.toString(), txHash, key: randomUUID() },
    userIdentity(payer.userId),
  );
  expect(response.errors).toBeUndefined();
  return response.data!.payWithToken;
}

/** What the payer sees now, through the payments API. */
async function paymentNow(payer: Payer, id: string): Promise<PaymentAnswer> {
  const response = await payments.call<{ payment: PaymentAnswer }>(
    'query ($id: ID!) { payment(id: $id) { id status failureReason } }',
    { id },
    userIdentity(payer.userId),
  );
  expect(response.errors).toBeUndefined();
  return response.data!.payment;
}

/** Payments' periodic re-check of PENDING token payments, run now rather than in 30 s (and for payments of any age). */
const recheck = () => payments.subgraph.services.payments.reconcileTokenPayments(0);

test('no event bus links the two subgraphs', () => {
  expect(stack.config.redisUrl).toBeUndefined();
  expect(payments.config.redisUrl).toBeUndefined();
  expect(stack.blockchain.events).not.toBe(payments.subgraph.events);
});

test('payWithToken stays PENDING short of the confirmations, and the re-check settles it SUCCEEDED once they are reached', async () => {
  const payer = await newPayer(30n * FORGE);
  const txHash = await transferForge(chain, payer.wallet, 30n * FORGE);

  const paid = await payWithToken(payer, 30n * FORGE, txHash);
  expect(paid.status).toBe('PENDING'); // 1 of 2 confirmations
  await recheck();
  expect((await paymentNow(payer, paid.id)).status).toBe('PENDING');

  await chain.mine(1);
  await recheck();
  expect(await paymentNow(payer, paid.id)).toEqual({ id: paid.id, status: 'SUCCEEDED', failureReason: null });
});

test('a transfer already confirmed settles in the mutation itself: stake is credited at once', async () => {
  const payer = await newPayer(1_000n * FORGE);
  const txHash = await transferForge(chain, payer.wallet, 1_000n * FORGE);
  await chain.mine(1);

  const staked = await payments.call<{ stake: { status: string } }>(
    'mutation ($amount: String!, $txHash: String!, $key: String!) { stake(amount: $amount, txHash: $txHash, idempotencyKey: $key) { status } }',
    { amount: (1_000n * FORGE).toString(), txHash, key: randomUUID() },
    userIdentity(payer.userId),
  );
  expect(staked.errors).toBeUndefined();
  expect(staked.data!.stake.status).toBe('SUCCEEDED');
  const account = await payments.prisma.paymentAccount.findUniqueOrThrow({ where: { userId: payer.userId } });
  expect(account.staked.toFixed(0)).toBe((1_000n * FORGE).toString());
});

test('a transfer of another amount, or to someone other than the treasury, FAILS the payment', async () => {
  const payer = await newPayer(10n * FORGE);
  const tooLittle = await transferForge(chain, payer.wallet, 4n * FORGE);
  const elsewhere = await transferForge(chain, payer.wallet, 5n * FORGE, privateKeyToAccount(generatePrivateKey()).address);
  await chain.mine(1);

  const short = await payWithToken(payer, 5n * FORGE, tooLittle);
  expect(short).toMatchObject({ status: 'FAILED', failureReason: `transfer is ${4n * FORGE}, not ${5n * FORGE}` });
  const misdirected = await payWithToken(payer, 5n * FORGE, elsewhere);
  expect(misdirected).toMatchObject({ status: 'FAILED', failureReason: 'transfer is not to the treasury' });
  // Final: asking the chain again changes nothing.
  await recheck();
  expect((await paymentNow(payer, short.id)).status).toBe('FAILED');
});

test('with the blockchain subgraph down the payment stays PENDING (no error), and settles once it is back', async () => {
  const payer = await newPayer(12n * FORGE);
  await stack.stopBlockchain();

  const txHash = await transferForge(chain, payer.wallet, 12n * FORGE);
  await chain.mine(2); // confirmed on chain: only the blockchain subgraph is missing
  const paid = await payWithToken(payer, 12n * FORGE, txHash);
  expect(paid).toMatchObject({ status: 'PENDING', failureReason: null });
  await recheck(); // unreachable: nothing changes, nothing fails
  expect((await paymentNow(payer, paid.id)).status).toBe('PENDING');

  await stack.restartBlockchain();
  await recheck();
  expect((await paymentNow(payer, paid.id)).status).toBe('SUCCEEDED');
});
