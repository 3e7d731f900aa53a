import { Redis } from 'ioredis';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { eventually, startTestChain, type TestChain } from './chain';
import { ADMIN, startBlockchainHarness, type BlockchainHarness } from './harness';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://localhost:6379';

/** RPC reads go through Redis with TTLs: a second read within the TTL costs no RPC call. */
let chain: TestChain;
let harness: BlockchainHarness;
let redis: Redis;
beforeAll(async () => {
  chain = await startTestChain();
  harness = await startBlockchainHarness(chain, { REDIS_URL, BLOCKCHAIN_CACHE_TTL_SECONDS: '30' });
  redis = new Redis(REDIS_URL);
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await harness?.stop();
  await chain?.stop();
});

const rpcCalls = (method: string, since: number) =>
  harness.subgraph.clients
    .httpRounds()
    .slice(since)
    .flat()
    .filter((name) => name === method).length;

it('serves a repeated wallet read from Redis, with the configured TTL', async () => {
  const address = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();
  const query = `{ wallet(address: "${address}") { ethBalance forgeBalance nonce } }`;
  const before = harness.subgraph.clients.httpRounds().length;
  const first = await harness.call(query);
  const second = await harness.call(query);
  expect(second.data).toEqual(first.data);
  expect(rpcCalls('eth_getBalance', before)).toBe(1);
  const key = `supergraph:blockchain:31337:wallet:${address}`;
  const ttl = await redis.ttl(key);
  expect(ttl).toBeGreaterThan(20);
  expect(ttl).toBeLessThanOrEqual(30);
});

it('keeps a mined transaction in the cache for longer than live reads', async () => {
  const sent = await harness.call(
    `mutation { sendTokenTransfer(to: "${privateKeyToAccount(generatePrivateKey()).address}", amount: "1") { hash status } }`,
    {},
    ADMIN,
  );
  const hash = sent.data!.sendTokenTransfer.hash as string;
  const before = harness.subgraph.clients.httpRounds().length;
  const query = `{ transaction(hash: "${hash}") { status blockNumber } }`;
  const a = await harness.call(query);
  const b = await harness.call(query);
  expect(a.data).toEqual(b.data);
  expect(a.data!.transaction.status).toBe('SUCCESS');
  expect(rpcCalls('eth_getTransactionReceipt', before)).toBeLessThanOrEqual(1);
  expect(await redis.ttl(`supergraph:blockchain:31337:tx:${hash}`)).toBeGreaterThan(60);
});

it("drops a wallet's cached balances as soon as the follower sees a transfer to it", async () => {
  const address = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();
  const query = `{ wallet(address: "${address}") { forgeBalance } }`;
  expect((await harness.call(query)).data!.wallet.forgeBalance).toBe('0');
  const sent = await harness.call(`mutation { sendTokenTransfer(to: "${address}", amount: "77") { hash } }`, {}, ADMIN);
  const hash = sent.data!.sendTokenTransfer.hash as string;
  await eventually(() => harness.transfers.find((event) => event.txHash === hash), 15_000, 'the transfer event');
  // Within the 30 s TTL, yet fresh: the event invalidated the entry before it was published.
  expect((await harness.call(query)).data!.wallet.forgeBalance).toBe('77');
});
