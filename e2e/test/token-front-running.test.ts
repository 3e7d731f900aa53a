import { randomUUID } from 'node:crypto';
import type { Hex } from 'viem';
import type { TestChain } from '@supergraph/blockchain/test/chain';
import { errorCodes, type GraphQLResponse } from '@supergraph/testing';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from '@supergraph/payments/test/harness';
import { startChainStack, type ChainStack } from './chain-stack';
import { fundWallet, linkFreshWallet, transferForge } from './forge-wallets';

/**
 * A transaction hash is public as soon as it is sent: anyone watching the chain's mempool, or the
 * payer's screen, can name it in payWithToken before the payer does. On a real EVM with the real
 * blockchain subgraph, a stranger who names someone else's transfer first is refused (or their
 * early claim FAILS) and the transfer stays free for the wallet that sent it: the payer still pays
 * with it, and one transaction pays exactly one payment however many claims race for it.
 */
jest.setTimeout(120_000);

let stack: ChainStack;
let chain: TestChain;
let payments: PaymentsHarness;

beforeAll(async () => {
  stack = await startChainStack('e2e_front_running_blockchain'); // BLOCKCHAIN_CONFIRMATIONS=2
  chain = stack.chain;
  payments = await startPaymentsHarness({ env: { ...chain.env, BLOCKCHAIN_URL: `${stack.blockchain.url}/graphql`, REDIS_URL: '' } });
});
afterAll(async () => {
  await payments?.stop();
  await stack?.stop();
});

const AMOUNT = 9n * 10n ** 18n;

interface PaymentAnswer {
  id: string;
  status: string;
  failureReason: string | null;
}

/** An account with a linked wallet; `forge` $FORGE and gas in it when asked. */
async function newAccount(forge = 0n) {
  const { userId } = await payments.register();
  const wallet = await linkFreshWallet((query, variables) => payments.callUsers(query, variables, userIdentity(userId)));
  if (forge > 0n) await fundWallet(stack, wallet.address, forge);
  return { userId, wallet };
}

function payWithToken(userId: string, txHash: Hex): Promise<GraphQLResponse<{ payWithToken: PaymentAnswer }>> {
  return payments.call<{ payWithToken: PaymentAnswer }>(
    'mutation ($amount: String!, $txHash: String!, $key: String!) { payWithToken(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id status failureReason } }',
    { amount: AMOUNT.toString(), txHash, key: randomUUID() },
    userIdentity(userId),
  );
}

const recheck = () => payments.subgraph.services.payments.reconcileTokenPayments(0);

async function statusOf(id: string): Promise<string> {
  return (await payments.prisma.payment.findUniqueOrThrow({ where: { id } })).status;
}

test('a stranger naming a mined transfer first is refused with TRANSFER_NOT_FROM_PAYER, and its sender pays with it', async () => {
  const owner = await newAccount(AMOUNT);
  const stranger = await newAccount();
  const txHash = await transferForge(chain, owner.wallet, AMOUNT);

  expect(errorCodes(await payWithToken(stranger.userId, txHash))).toEqual(['TRANSFER_NOT_FROM_PAYER']);
  expect(await payments.prisma.payment.count({ where: { userId: stranger.userId } })).toBe(0);

  const paid = await payWithToken(owner.userId, txHash);
  expect(paid.errors).toBeUndefined();
  await chain.mine(1);
  await recheck();
  expect(await statusOf(paid.data!.payWithToken.id)).toBe('SUCCEEDED');
});

test('a stranger front-running a transfer still in the mempool holds nothing once it is mined: their claim FAILS, the sender’s SUCCEEDS', async () => {
  const owner = await newAccount(AMOUNT);
  const stranger = await newAccount();
  await chain.rpc('miner_stop');
  let txHash: Hex;
  let early: GraphQLResponse<{ payWithToken: PaymentAnswer }>;
  try {
    txHash = await transferForge(chain, owner.wallet, AMOUNT);
    // Not mined yet: nobody can tell whose transfer it is, so the claim waits, bound to nothing.
    early = await payWithToken(stranger.userId, txHash);
    expect(early.errors).toBeUndefined();
    expect(early.data!.payWithToken.status).toBe('PENDING');
  } finally {
    await chain.rpc('miner_start');
  }
  await chain.mine(2);

  const paid = await payWithToken(owner.userId, txHash);
  expect(paid.errors).toBeUndefined();
  await recheck();
  expect(await statusOf(paid.data!.payWithToken.id)).toBe('SUCCEEDED');
  expect(await payments.prisma.payment.findUniqueOrThrow({ where: { id: early.data!.payWithToken.id } })).toMatchObject({
    status: 'FAILED',
    failureReason: 'transfer is not from a wallet linked to the payer',
    providerReference: null,
  });
});

test('of concurrent claims on one transfer, by its sender and a stranger, exactly one payment holds it and SUCCEEDS', async () => {
  const owner = await newAccount(AMOUNT);
  const stranger = await newAccount();
  const txHash = await transferForge(chain, owner.wallet, AMOUNT);
  await chain.mine(1);

  const answers = await Promise.all([owner, stranger, owner, stranger, owner, owner].map((account) => payWithToken(account.userId, txHash)));
  const succeeded = answers.filter((answer) => answer.data?.payWithToken.status === 'SUCCEEDED');
  expect(succeeded).toHaveLength(1);
  expect(answers.flatMap((answer) => errorCodes(answer)).sort()).toEqual([
    'TRANSFER_ALREADY_USED',
    'TRANSFER_ALREADY_USED',
    'TRANSFER_ALREADY_USED',
    'TRANSFER_NOT_FROM_PAYER',
    'TRANSFER_NOT_FROM_PAYER',
  ]);
  const holders = await payments.prisma.payment.findMany({ where: { OR: [{ providerReference: txHash }, { txHash }] } });
  expect(holders.map((row) => [row.id, row.status])).toEqual([[succeeded[0]!.data!.payWithToken.id, 'SUCCEEDED']]);
});
