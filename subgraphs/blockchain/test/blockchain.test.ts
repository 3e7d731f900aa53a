import { encodeFunctionData, parseUnits, type Hash } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { asRouter, errorCodes, subscribeMany } from '@supergraph/testing';
import { forgeTokenAbi } from '../src/chain/abis';
import { FORGE_SUPPLY } from '../src/chain/deployment';
import { publishTokenTransfer } from '../src/events/chain-events';
import { eventually, startTestChain, type TestChain } from './chain';
import { ADMIN, USER, startBlockchainHarness, type BlockchainHarness } from './harness';

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

const SEND = `mutation ($to: String!, $amount: String!) { sendTokenTransfer(to: $to, amount: $amount) { hash status } }`;
const WALLET = `query ($address: String!) {
  wallet(address: $address) { address ethBalance forgeBalance nonce recentTransfers { hash logIndex from to value blockNumber confirmations status } }
}`;
const TRANSACTION = `query ($hash: String!) {
  transaction(hash: $hash) { hash from to value status confirmations blockNumber block { number hash transactionCount } revertReason }
}`;
const freshAddress = () => privateKeyToAccount(generatePrivateKey()).address.toLowerCase();

async function send(to: string, amount: bigint): Promise<Hash> {
  const response = await harness.call(SEND, { to, amount: amount.toString() }, ADMIN);
  expect(response.errors).toBeUndefined();
  return response.data!.sendTokenTransfer.hash as Hash;
}

describe('contracts and reads', () => {
  it('reads $FORGE through typed calls: the whole supply sits in the treasury', async () => {
    const response = await harness.call(`{
      forgeToken { address name symbol decimals totalSupply balanceOf(owner: "${chain.deployment.treasury}") }
      treasury { address operator wallet { forgeBalance } }
    }`);
    expect(response.errors).toBeUndefined();
    expect(response.data!.forgeToken).toEqual({
      address: chain.deployment.forgeToken.toLowerCase(),
      name: 'Forge',
      symbol: 'FORGE',
      decimals: 18,
      totalSupply: FORGE_SUPPLY.toString(),
      balanceOf: FORGE_SUPPLY.toString(),
    });
    expect(response.data!.treasury).toEqual({
      address: chain.deployment.treasury.toLowerCase(),
      operator: chain.deployment.operator.toLowerCase(),
      wallet: { forgeBalance: FORGE_SUPPLY.toString() },
    });
  });

  it('refuses invalid addresses and hashes with clear codes, and names unknown transactions', async () => {
    for (const address of ['0x123', 'not an address', '0x' + 'g'.repeat(40), '0xAbCdEf0000000000000000000000000000000001']) {
      const response = await harness.call(WALLET, { address });
      expect(errorCodes(response)).toEqual(['INVALID_ADDRESS']);
      expect(response.errors![0]!.message).toMatch(/is not an Ethereum address/);
    }
    for (const hash of ['0x1234', '0x' + 'z'.repeat(64), '']) {
      expect(errorCodes(await harness.call(TRANSACTION, { hash }))).toEqual(['INVALID_TRANSACTION_HASH']);
    }
    const unknown = await harness.call(TRANSACTION, { hash: '0x' + 'ab'.repeat(32) });
    expect(errorCodes(unknown)).toEqual(['TRANSACTION_NOT_FOUND']);
    expect(errorCodes(await harness.call(SEND, { to: '0x12', amount: '1' }, ADMIN))).toEqual(['INVALID_ADDRESS']);
    for (const amount of ['0', '-1', '1.5', 'abc']) {
      expect(errorCodes(await harness.call(SEND, { to: freshAddress(), amount }, ADMIN))).toEqual(['INVALID_AMOUNT']);
    }
    expect(errorCodes(await harness.call(`{ block(number: -1) { number } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('answers N wallets of N users in one JSON-RPC round', async () => {
    const users = Array.from({ length: 5 }, (_, index) => ({ __typename: 'User', id: `user-${index}`, walletAddresses: [freshAddress(), freshAddress()] }));
    const before = harness.subgraph.clients.httpRounds().length;
    const response = await harness.call(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id wallets { address ethBalance forgeBalance nonce } } } }`,
      { representations: users },
      { kind: 'service' },
    );
    expect(response.errors).toBeUndefined();
    const entities = response.data!._entities as { id: string; wallets: { address: string; forgeBalance: string }[] }[];
    expect(entities.map((user) => user.wallets.map((wallet) => wallet.address))).toEqual(users.map((user) => user.walletAddresses));
    // The follower shares the client: count only the rounds that read wallets.
    const walletRounds = harness.subgraph.clients
      .httpRounds()
      .slice(before)
      .filter((methods) => methods.includes('eth_getBalance'));
    expect(walletRounds).toHaveLength(1);
    expect(walletRounds[0]!.filter((method) => method === 'eth_getBalance')).toHaveLength(10);
  });
});

describe('treasury transfers', () => {
  it('pays $FORGE out (admins only) and follows the transfer to CONFIRMED', async () => {
    const to = freshAddress();
    expect(errorCodes(await harness.call(SEND, { to, amount: '1' }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await harness.call(SEND, { to, amount: '1' }, USER))).toEqual(['FORBIDDEN']);

    const amount = parseUnits('5', 18);
    const hash = await send(to, amount);
    const pending = await eventually(() => harness.transfers.find((event) => event.txHash === hash && event.status === 'PENDING'), 15_000, 'PENDING event');
    expect(pending).toMatchObject({
      from: chain.deployment.treasury.toLowerCase(),
      to,
      value: amount.toString(),
      confirmations: 1,
      logIndex: expect.any(Number),
    });

    await chain.mine(1); // BLOCKCHAIN_CONFIRMATIONS=2 in tests
    const confirmed = await eventually(
      () => harness.transfers.find((event) => event.txHash === hash && event.status === 'CONFIRMED'),
      15_000,
      'CONFIRMED event',
    );
    expect(confirmed.confirmations).toBeGreaterThanOrEqual(2);

    const wallet = await harness.call(WALLET, { address: to });
    expect(wallet.errors).toBeUndefined();
    expect(wallet.data!.wallet).toMatchObject({ address: to, forgeBalance: amount.toString(), nonce: 0 });
    expect(wallet.data!.wallet.recentTransfers).toEqual([
      {
        hash,
        logIndex: pending.logIndex,
        from: pending.from,
        to,
        value: amount.toString(),
        blockNumber: pending.blockNumber,
        confirmations: 2,
        status: 'CONFIRMED',
      },
    ]);
    const transaction = await harness.call(TRANSACTION, { hash });
    expect(transaction.data!.transaction).toMatchObject({
      hash,
      from: chain.deployment.operator.toLowerCase(),
      to: chain.deployment.treasury.toLowerCase(),
      value: '0',
      status: 'SUCCESS',
      confirmations: 2,
      blockNumber: pending.blockNumber,
      block: { number: pending.blockNumber, transactionCount: 1 },
      revertReason: null,
    });
    expect(harness.transfers.filter((event) => event.txHash === hash)).toHaveLength(2);
  });

  it('refuses a payout larger than the treasury holds with INSUFFICIENT_FUNDS and sends nothing', async () => {
    const nonce = await chain.clients.public.getTransactionCount({ address: chain.deployment.operator });
    const response = await harness.call(SEND, { to: freshAddress(), amount: (FORGE_SUPPLY + 1n).toString() }, ADMIN);
    expect(errorCodes(response)).toEqual(['INSUFFICIENT_FUNDS']);
    expect(await chain.clients.public.getTransactionCount({ address: chain.deployment.operator })).toBe(nonce);
  });

  it('reports a reverted transaction as FAILED with the reason the contract gave', async () => {
    const from = await chain.devAccount(); // holds ETH but no $FORGE
    const hash = await chain.rpc<Hash>('eth_sendTransaction', [
      {
        from,
        to: chain.deployment.forgeToken,
        gas: '0x30000', // explicit gas: no estimate, so the node mines the doomed transaction
        data: encodeFunctionData({ abi: forgeTokenAbi, functionName: 'transfer', args: [chain.deployment.treasury, 1n] }),
      },
    ]);
    const response = await harness.call(TRANSACTION, { hash });
    expect(response.errors).toBeUndefined();
    expect(response.data!.transaction).toMatchObject({
      hash,
      from: from.toLowerCase(),
      status: 'FAILED',
      revertReason: 'FORGE: transfer amount exceeds balance',
    });
  });
});

describe('reorgs', () => {
  it('marks transfers of a dropped block REMOVED, publishes that once, and follows the new chain', async () => {
    const to = freshAddress();
    const snapshot = await chain.rpc<string>('evm_snapshot');
    const hash = await send(to, 7n);
    await eventually(() => harness.transfers.find((event) => event.txHash === hash && event.status === 'PENDING'), 15_000, 'PENDING event');

    await chain.rpc('evm_revert', [snapshot]);
    await chain.mine(3); // a longer chain without the transfer
    const removed = await eventually(() => harness.transfers.find((event) => event.txHash === hash && event.status === 'REMOVED'), 15_000, 'REMOVED event');
    expect(removed.confirmations).toBe(0);
    const wallet = await harness.call(WALLET, { address: to });
    expect(wallet.data!.wallet).toMatchObject({ forgeBalance: '0', recentTransfers: [] });
    expect(await harness.subgraph.database.prisma.tokenTransfer.findFirst({ where: { txHash: hash } })).toMatchObject({ status: 'REMOVED' });

    // The chain goes on: a new transfer after the reorg is followed as usual.
    const after = await send(to, 9n);
    await eventually(() => harness.transfers.find((event) => event.txHash === after && event.status === 'PENDING'), 15_000, 'transfer after the reorg');
    expect(harness.transfers.filter((event) => event.txHash === hash && event.status === 'REMOVED')).toHaveLength(1);
  });
});

describe('reorgs to a shorter chain', () => {
  it("rewinds when the node's head falls below the follower's cursor, even past CONFIRMED transfers", async () => {
    const snapshot = await chain.rpc<string>('evm_snapshot');
    const hash = await send(freshAddress(), 3n);
    await eventually(() => harness.transfers.find((event) => event.txHash === hash), 15_000, 'the transfer');
    await chain.mine(2);
    await eventually(() => harness.transfers.find((event) => event.txHash === hash && event.status === 'CONFIRMED'), 15_000, 'CONFIRMED');
    await chain.rpc('evm_revert', [snapshot]); // head is now below the cursor, and nothing is mined after
    const removed = await eventually(() => harness.transfers.find((event) => event.txHash === hash && event.status === 'REMOVED'), 15_000, 'REMOVED');
    expect(removed.confirmations).toBe(0);
    await harness.subgraph.follower.sync();
    const cursor = await harness.subgraph.database.prisma.chainCursor.findFirstOrThrow();
    expect(cursor.blockNumber).toBe(await chain.clients.public.getBlockNumber());
  });
});

describe('chain status', () => {
  it('tells the head, how far the follower has read, and the contracts', async () => {
    await harness.subgraph.follower.sync();
    const response = await harness.call('{ chainStatus { chainId headBlock followedBlock confirmationsRequired forgeToken treasury } }');
    const head = Number(await chain.clients.public.getBlockNumber());
    expect(response.data!.chainStatus).toEqual({
      chainId: 31337,
      headBlock: head,
      followedBlock: head,
      confirmationsRequired: 2,
      forgeToken: chain.deployment.forgeToken.toLowerCase(),
      treasury: chain.deployment.treasury.toLowerCase(),
    });
  });
});

describe('subscriptions', () => {
  type TransferSeen = { tokenTransfer: { hash: string; confirmations: number; transaction: { status: string } } };
  /**
   * Keys looked up in the RPC cache (Redis in production): every chain read goes through it, and
   * only the subscriptions read meanwhile. JSON-RPC calls would not show a fan-out: viem merges
   * identical calls in flight, but each lookup is a round trip to Redis of its own.
   */
  const cacheLookups = async () => (await harness.subgraph.metrics.cacheLookups.get()).values.reduce((sum, { value }) => sum + value, 0);

  it("reads the transfer's transaction once per event, however many subscriptions receive it", async () => {
    const recipient = freshAddress();
    const hash = await send(recipient, 5n);
    const seenByFollower = await eventually(() => harness.transfers.find((event) => event.txHash === hash), 15_000, 'the follower to see the transfer');
    const subscriptions = subscribeMany<TransferSeen>(harness.url, asRouter(USER, harness.config.routerSigningSecret), {
      query: 'subscription ($address: String) { tokenTransfer(address: $address) { hash confirmations transaction { status } } }',
      variables: { address: recipient },
    });
    // The follower announces a transfer again as it gets deeper; the test publishes those
    // announcements itself, so that it decides when each one happens.
    let depth = seenByFollower.confirmations;
    const deeper = async () => {
      const confirmations = ++depth;
      await publishTokenTransfer(harness.events, { ...seenByFollower, confirmations });
      return (data: TransferSeen) => data.tokenTransfer.confirmations === confirmations;
    };
    try {
      await subscriptions.untilLive(deeper);
      const before = await cacheLookups();
      expect(await subscriptions.everyoneSees(await deeper(), 10_000)).toBe(true);
      expect(subscriptions.received.map((results) => results.at(-1))).toEqual(
        Array.from({ length: 20 }, () => ({
          data: { tokenTransfer: { hash, confirmations: depth, transaction: { status: 'SUCCESS' } } },
          extensions: { position: expect.stringMatching(/^\d+-\d+$/) },
        })),
      );
      // Shared by all 20: one read of the transaction.
      expect((await cacheLookups()) - before).toBe(1);
    } finally {
      await subscriptions.dispose();
    }
  });
});

describe('metrics', () => {
  it('exposes RPC latency and failed transactions on /metrics', async () => {
    const text = await (await fetch(`${harness.subgraph.url}/metrics`)).text();
    expect(text).toMatch(/blockchain_rpc_request_duration_seconds_count\{service="blockchain",method="eth_getBalance",outcome="ok"\} \d+/);
    expect(text).toMatch(/blockchain_failed_transactions_total\{reason="rejected",service="blockchain"\} [1-9]/);
    expect(text).toMatch(/blockchain_transactions_sent_total\{service="blockchain"\} [1-9]/);
    expect(text).toMatch(/blockchain_reorgs_total\{service="blockchain"\} [1-9]/);
  });

  it('logged no error, and no warning but the two reorgs', () => {
    // A follower round that fails and is retried (an RPC call timing out on a loaded machine) is
    // handled by design; anything else would be noteworthy.
    const noteworthy = harness.transcript.logs
      .map((line) => JSON.parse(line) as { level: string; msg: string })
      .filter((line) => line.level === 'warn' || line.level === 'error')
      .filter((line) => !line.msg.startsWith('chain follower round failed; retrying'));
    expect(noteworthy.map((line) => `${line.level}: ${line.msg}`)).toEqual(['warn: chain reorganisation undone', 'warn: chain reorganisation undone']);
  });
});
