import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { Address, Hash } from 'viem';
import { treasuryAbi } from '../src/chain/abis';
import { eventually, startTestChain, type TestChain } from './chain';
import { ADMIN, startBlockchainHarness, type BlockchainHarness } from './harness';

let chain: TestChain;
beforeAll(async () => {
  chain = await startTestChain();
}, 60_000);
afterAll(() => chain?.stop());

const freshAddress = () => privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;

/** Pays out with the operator key directly on the chain (what happens while the subgraph is down). */
async function payoutOnChain(to: Address, value: bigint): Promise<Hash> {
  const hash = await chain.clients.wallet.writeContract({
    address: chain.deployment.treasury,
    abi: treasuryAbi,
    functionName: 'payout',
    args: [chain.deployment.forgeToken, to, value],
  });
  await chain.clients.public.waitForTransactionReceipt({ hash, pollingInterval: 100 });
  return hash;
}

const statusesOf = (harness: BlockchainHarness, hash: string) => harness.transfers.filter((event) => event.txHash === hash).map((event) => event.status);

describe('restart', () => {
  let harness: BlockchainHarness;
  beforeAll(async () => {
    harness = await startBlockchainHarness(chain);
  });
  afterAll(() => harness?.stop());

  it('resumes from the last processed block: transfers made while down are published once, earlier ones not again', async () => {
    const a = await harness.call(`mutation ($to: String!) { sendTokenTransfer(to: $to, amount: "100") { hash } }`, { to: freshAddress() }, ADMIN);
    const hashA = a.data!.sendTokenTransfer.hash as Hash;
    await eventually(() => harness.transfers.find((event) => event.txHash === hashA), 15_000, 'A seen');
    await chain.mine(1);
    await eventually(() => harness.transfers.find((event) => event.txHash === hashA && event.status === 'CONFIRMED'), 15_000, 'A confirmed');
    const cursorBefore = await harness.subgraph.database.prisma.chainCursor.findFirstOrThrow();

    let hashB: Hash | undefined;
    let hashC: Hash | undefined;
    await harness.restart(async () => {
      hashB = await payoutOnChain(freshAddress(), 200n);
      hashC = await payoutOnChain(freshAddress(), 300n);
      await chain.mine(2);
    });
    await eventually(() => (statusesOf(harness, hashC!).includes('CONFIRMED') ? true : undefined), 15_000, 'B and C after the restart');
    await chain.mine(1);
    await harness.subgraph.follower.sync();

    expect(statusesOf(harness, hashA)).toEqual(['PENDING', 'CONFIRMED']);
    // Already deep when the restarted follower read them: published once, as CONFIRMED.
    expect(statusesOf(harness, hashB!)).toEqual(['CONFIRMED']);
    expect(statusesOf(harness, hashC!)).toEqual(['CONFIRMED']);
    const keys = harness.transfers.map((event) => `${event.txHash}:${event.logIndex}:${event.status}`);
    expect(new Set(keys).size).toBe(keys.length);

    const rows = await harness.subgraph.database.prisma.tokenTransfer.findMany({ orderBy: { blockNumber: 'asc' } });
    // The supply's mint at deployment, then A, B and C: every block after the cursor was read, none twice.
    expect(rows.map((row) => row.value)).toEqual([expect.any(String), '100', '200', '300']);
    expect(rows.every((row) => row.status === 'CONFIRMED' && !row.publishPending)).toBe(true);
    const cursorAfter = await harness.subgraph.database.prisma.chainCursor.findFirstOrThrow();
    expect(cursorAfter.blockNumber).toBe(await chain.clients.public.getBlockNumber());
    expect(cursorAfter.blockNumber).toBeGreaterThan(cursorBefore.blockNumber);
  });

  it('publishes after a restart what a crash left unpublished (the outbox), exactly once', async () => {
    const { prisma } = harness.subgraph.database;
    const [row] = await prisma.tokenTransfer.findMany({ where: { value: '200' } });
    // As if the process died after committing a status change but before publishing it.
    await harness.subgraph.follower.stop();
    await prisma.tokenTransfer.update({ where: { txHash_logIndex: { txHash: row!.txHash, logIndex: row!.logIndex } }, data: { publishPending: true } });
    const published = harness.transfers.length;
    await harness.restart();
    await eventually(() => (harness.transfers.length > published ? true : undefined), 15_000, 'the unpublished transfer');
    await chain.mine(1);
    await harness.subgraph.follower.sync();
    const replayed = harness.transfers.slice(published);
    expect(replayed.map((event) => `${event.txHash}:${event.status}`)).toEqual([`${row!.txHash}:CONFIRMED`]);
  });
});

describe('polling fallback', () => {
  it('follows the chain without a WebSocket endpoint', async () => {
    const harness = await startBlockchainHarness(chain, { RPC_WS_URL: '' });
    try {
      expect(harness.subgraph.clients.ws).toBeUndefined();
      const hash = await payoutOnChain(freshAddress(), 5n);
      await eventually(() => harness.transfers.find((event) => event.txHash === hash), 15_000, 'the transfer, by polling');
    } finally {
      await harness.stop();
    }
  });
});
