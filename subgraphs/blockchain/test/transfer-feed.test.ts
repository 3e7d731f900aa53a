import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { REPO_ROOT } from '@supergraph/config';
import { SERVICE } from '@supergraph/identity';
import { errorCodes } from '@supergraph/testing';
import { eventually, startTestChain, type TestChain } from './chain';
import { ADMIN, USER, startBlockchainHarness, type BlockchainHarness } from './harness';

/**
 * The service-only `tokenTransferFeed`: every transfer the follower stored, oldest first, which the
 * AI subgraph's forecaster reads to learn the platform's own $FORGE activity over time.
 */
jest.setTimeout(60_000);

let chain: TestChain;
let harness: BlockchainHarness;
beforeAll(async () => {
  chain = await startTestChain();
  harness = await startBlockchainHarness(chain);
}, 60_000);
afterAll(async () => {
  await harness?.stop();
  await chain?.stop();
});

const FEED =
  'query ($after: String, $first: Int) { tokenTransferFeed(after: $after, first: $first) { transfers { txHash logIndex from to value status createdAt } cursor hasMore } }';
interface Entry {
  txHash: string;
  logIndex: number;
  from: string;
  to: string;
  value: string;
  status: string;
  createdAt: string;
}
interface Page {
  transfers: Entry[];
  cursor: string | null;
  hasMore: boolean;
}

async function page(after: string | null, first: number): Promise<Page> {
  const response = await harness.call<{ tokenTransferFeed: Page }>(FEED, { after, first }, SERVICE);
  expect(response.errors).toBeUndefined();
  return response.data!.tokenTransferFeed;
}

async function send(to: string, amount: bigint): Promise<string> {
  const response = await harness.call(
    'mutation ($to: String!, $amount: String!) { sendTokenTransfer(to: $to, amount: $amount) { hash } }',
    { to, amount: amount.toString() },
    ADMIN,
  );
  expect(response.errors).toBeUndefined();
  return (response.data!.sendTokenTransfer.hash as string).toLowerCase();
}

it('is hidden from the public API the router serves (@inaccessible), while the supergraph routes it to blockchain', () => {
  const supergraph = Supergraph.build(readFileSync(join(REPO_ROOT, 'supergraph.graphql'), 'utf8'), { supportedFeatures: null });
  expect(supergraph.schema.schemaDefinition.rootType('query')?.field('tokenTransferFeed')).toBeDefined();
  expect(supergraph.apiSchema().schemaDefinition.rootType('query')?.field('tokenTransferFeed')).toBeUndefined();
});

it('answers services only, and refuses a page size or cursor it did not give', async () => {
  expect(errorCodes(await harness.call(FEED, {}, USER))).toEqual(['FORBIDDEN']);
  expect(errorCodes(await harness.call(FEED, {}, ADMIN))).toEqual(['FORBIDDEN']);
  expect(errorCodes(await harness.call(FEED, { first: 0 }, SERVICE))).toEqual(['BAD_USER_INPUT']);
  expect(errorCodes(await harness.call(FEED, { after: 'yesterday' }, SERVICE))).toEqual(['BAD_USER_INPUT']);
});

it('pages through every stored transfer oldest first, each exactly once, ending with an empty page that keeps the cursor', async () => {
  const recipients = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()).address.toLowerCase());
  const hashes: string[] = [];
  for (const [i, to] of recipients.entries()) hashes.push(await send(to, BigInt(i + 1) * 10n ** 18n));
  await chain.mine(2);
  await eventually(() => (hashes.every((hash) => harness.transfers.some((event) => event.txHash === hash)) ? true : undefined), 15_000, 'stored');

  const seen: Entry[] = [];
  let after: string | null = null;
  for (;;) {
    const next: Page = await page(after, 2);
    seen.push(...next.transfers);
    after = next.cursor;
    if (!next.hasMore) break;
  }
  const ours = seen.filter((entry) => hashes.includes(entry.txHash));
  expect(ours.map(({ txHash, to, value }) => ({ txHash, to, value }))).toEqual(
    hashes.map((txHash, i) => ({ txHash, to: recipients[i], value: (BigInt(i + 1) * 10n ** 18n).toString() })),
  );
  expect(new Set(seen.map((entry) => `${entry.txHash}:${entry.logIndex}`)).size).toBe(seen.length);
  const times = seen.map((entry) => Date.parse(entry.createdAt));
  expect(times).toEqual([...times].sort((a, b) => a - b));

  const end = await page(after, 2);
  expect(end).toEqual({ transfers: [], cursor: after, hasMore: false });
});
