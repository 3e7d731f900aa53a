import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { encodeFunctionData, type Hash } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { REPO_ROOT } from '@supergraph/config';
import { SERVICE } from '@supergraph/identity';
import { errorCodes } from '@supergraph/testing';
import { forgeTokenAbi } from '../src/chain/abis';
import { startTestChain, type TestChain } from './chain';
import { ADMIN, USER, startBlockchainHarness, type BlockchainHarness } from './harness';

/**
 * The service-only `tokenTransfersInTransactions`: what payments asks to settle a token payment
 * without the event bus. The answer is the chain's, on a real EVM, whether or not the follower
 * has stored the transfer yet.
 */
jest.setTimeout(60_000);

let chain: TestChain;
let harness: BlockchainHarness;
beforeAll(async () => {
  chain = await startTestChain(); // BLOCKCHAIN_CONFIRMATIONS=2
  harness = await startBlockchainHarness(chain);
}, 60_000);
afterAll(async () => {
  await harness?.stop();
  await chain?.stop();
});

const LOOKUP = 'query ($hashes: [String!]!) { tokenTransfersInTransactions(hashes: $hashes) { hash logIndex from to value blockNumber confirmations status } }';
const freshAddress = () => privateKeyToAccount(generatePrivateKey()).address.toLowerCase();

async function send(to: string, amount: bigint): Promise<Hash> {
  const response = await harness.call(
    'mutation ($to: String!, $amount: String!) { sendTokenTransfer(to: $to, amount: $amount) { hash } }',
    { to, amount: amount.toString() },
    ADMIN,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.sendTokenTransfer.hash as Hash;
}

async function lookUp(hashes: string[]) {
  const response = await harness.call<{ tokenTransfersInTransactions: Record<string, unknown>[] }>(LOOKUP, { hashes }, SERVICE);
  expect(response.errors).toBeUndefined();
  return response.data!.tokenTransfersInTransactions;
}

it('is hidden from the public API the router serves (@inaccessible), while the supergraph routes it to blockchain', () => {
  const supergraph = Supergraph.build(readFileSync(join(REPO_ROOT, 'supergraph.graphql'), 'utf8'), { supportedFeatures: null });
  expect(supergraph.schema.schemaDefinition.rootType('query')?.field('tokenTransfersInTransactions')).toBeDefined();
  expect(supergraph.apiSchema().schemaDefinition.rootType('query')?.field('tokenTransfersInTransactions')).toBeUndefined();
});

it('answers for services only, and refuses bad hashes and oversized batches with clear codes', async () => {
  const hash = `0x${'a'.repeat(64)}`;
  expect(errorCodes(await harness.call(LOOKUP, { hashes: [hash] }, USER))).toEqual(['FORBIDDEN']);
  expect(errorCodes(await harness.call(LOOKUP, { hashes: [hash] }, ADMIN))).toEqual(['FORBIDDEN']);
  expect(errorCodes(await harness.call(LOOKUP, { hashes: ['0x1234'] }, SERVICE))).toEqual(['INVALID_TRANSACTION_HASH']);
  expect(errorCodes(await harness.call(LOOKUP, { hashes: [] }, SERVICE))).toEqual(['BAD_USER_INPUT']);
  expect(errorCodes(await harness.call(LOOKUP, { hashes: Array(101).fill(hash) }, SERVICE))).toEqual(['BAD_USER_INPUT']);
  // A transaction the node does not know carries no transfer: not an error.
  expect(await lookUp([hash])).toEqual([]);
});

it('reports a transfer PENDING with its confirmations, then CONFIRMED once deep enough', async () => {
  const to = freshAddress();
  const hash = await send(to, 7n);
  const receipt = await chain.clients.public.getTransactionReceipt({ hash });
  const expected = { hash: hash.toLowerCase(), from: chain.deployment.treasury.toLowerCase(), to, value: '7', blockNumber: Number(receipt.blockNumber) };

  expect(await lookUp([hash])).toEqual([{ ...expected, logIndex: expect.any(Number), confirmations: 1, status: 'PENDING' }]);
  await chain.mine(1);
  expect(await lookUp([hash])).toEqual([{ ...expected, logIndex: expect.any(Number), confirmations: 2, status: 'CONFIRMED' }]);
});

it('reads the chain, not the follower: a transfer the follower has not stored yet is answered', async () => {
  await harness.subgraph.follower.stop();
  const to = freshAddress();
  const hash = await send(to, 11n);
  await chain.mine(1);
  expect(await harness.subgraph.database.prisma.tokenTransfer.findMany({ where: { txHash: hash.toLowerCase() } })).toEqual([]);

  expect(await lookUp([hash])).toMatchObject([{ hash: hash.toLowerCase(), to, value: '11', confirmations: 2, status: 'CONFIRMED' }]);
});

it('answers several transactions in one call; a reverted transfer carries none', async () => {
  const first = freshAddress();
  const second = freshAddress();
  const [one, two] = [await send(first, 1n), await send(second, 2n)];
  const reverted = await chain.rpc<Hash>('eth_sendTransaction', [
    {
      from: await chain.devAccount(), // holds ETH but no $FORGE
      to: chain.deployment.forgeToken,
      gas: '0x30000', // explicit gas: no estimate, so the node mines the doomed transaction
      data: encodeFunctionData({ abi: forgeTokenAbi, functionName: 'transfer', args: [chain.deployment.treasury, 1n] }),
    },
  ]);
  expect((await chain.clients.public.getTransactionReceipt({ hash: reverted })).status).toBe('reverted');

  const answer = await lookUp([two, reverted, one]);
  expect(answer.map(({ hash, to, value }) => ({ hash, to, value }))).toEqual([
    { hash: two.toLowerCase(), to: second, value: '2' },
    { hash: one.toLowerCase(), to: first, value: '1' },
  ]);
});
