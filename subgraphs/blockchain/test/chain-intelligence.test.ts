import { createWalletClient, http, parseEther, parseGwei, type Address, type Hash, type WalletClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { bearer, graphql, type UntypedData } from '@supergraph/testing';
import { MEV_DETECTED, type MevDetectedEvent } from '../src/events/chain-events';
import { eventually, startTestChain, type TestChain } from './chain';
import { deployFixture } from './fixtures';
import { startBlockchainHarness, type BlockchainHarness } from './harness';
import { startPlatform, type TestPlatform } from './platform';

/**
 * The "done when" for chain intelligence, through the real router on a real local EVM:
 * a staged sandwich on a constant-product pool is found with its attacker, victim and profit while
 * honest trades are not flagged; staged wallets cluster and unrelated ones do not; a reorg that
 * drops the sandwich's block withdraws the finding; and contractAnalysis answers via the router.
 */
let chain: TestChain;
let blockchain: BlockchainHarness;
let platform: TestPlatform;
const published: MevDetectedEvent[] = [];

beforeAll(async () => {
  chain = await startTestChain();
  blockchain = await startBlockchainHarness(chain);
  platform = await startPlatform(blockchain);
  const feed = blockchain.events.subscribe<MevDetectedEvent>(MEV_DETECTED);
  void (async () => {
    for await (const event of feed) published.push(event);
  })();
}, 90_000);

afterAll(async () => {
  await platform?.stop();
  await blockchain?.stop();
  await chain?.stop();
});

async function query(text: string, variables: Record<string, unknown> = {}): Promise<UntypedData> {
  const response = await graphql<UntypedData>(platform.graphqlUrl, text, variables, {});
  expect(response.errors).toBeUndefined();
  return response.data!;
}

interface Actor {
  account: PrivateKeyAccount;
  address: Address;
  wallet: WalletClient;
}

function newActor(): Actor {
  const account = privateKeyToAccount(generatePrivateKey());
  return {
    account,
    address: account.address.toLowerCase() as Address,
    wallet: createWalletClient({ account, chain: chain.clients.chain, transport: http(chain.chain.httpUrl) }),
  };
}

/** ETH from the node's unlocked development account (mined at once). */
async function fund(to: Address, ether: string): Promise<void> {
  const hash = await chain.rpc<Hash>('eth_sendTransaction', [{ from: await chain.devAccount(), to, value: `0x${parseEther(ether).toString(16)}` }]);
  await chain.clients.public.waitForTransactionReceipt({ hash });
}

async function send(from: Actor, to: Address, ether: string): Promise<void> {
  const hash = await from.wallet.sendTransaction({ account: from.account, chain: chain.clients.chain, to, value: parseEther(ether) });
  await chain.clients.public.waitForTransactionReceipt({ hash });
}

/** Runs `stage` with mining stopped, then mines everything it sent into one block (ordered by gas price, as a builder would). */
async function inOneBlock(stage: () => Promise<Hash[]>): Promise<{ hashes: Hash[]; blockNumber: number }> {
  await chain.rpc('miner_stop');
  let hashes: Hash[];
  try {
    hashes = await stage();
  } finally {
    await chain.rpc('evm_mine');
    await chain.rpc('miner_start');
  }
  const receipts = await Promise.all(hashes.map((hash) => chain.clients.public.waitForTransactionReceipt({ hash })));
  expect(receipts.map((receipt) => receipt.status)).toEqual(receipts.map(() => 'success'));
  expect(new Set(receipts.map((receipt) => receipt.blockNumber)).size).toBe(1);
  return { hashes, blockNumber: Number(receipts[0]!.blockNumber) };
}

describe('wallet clustering', () => {
  it('clusters wallets funded from one source that sweep to one deposit address, and not unrelated active wallets', async () => {
    const [source, w1, w2, w3, deposit, hotWallet] = [newActor(), newActor(), newActor(), newActor(), newActor(), newActor()];
    await fund(source.address, '10');
    for (const wallet of [w1, w2, w3]) await send(source, wallet.address, '1');
    for (const wallet of [w1, w2, w3]) await send(wallet, deposit.address, '0.5');
    await send(deposit, hotWallet.address, '1.4'); // the sweep

    // Two wallets of two people: funded from different places, busy in the same blocks, paying different payees.
    const [f1, f2, u1, u2, payee1, payee2] = [newActor(), newActor(), newActor(), newActor(), newActor(), newActor()];
    await fund(f1.address, '2');
    await fund(f2.address, '2');
    await send(f1, u1.address, '1');
    await send(f2, u2.address, '1');
    for (let round = 0; round < 3; round++) {
      await inOneBlock(async () => {
        const gas = { gas: 21_000n, gasPrice: parseGwei('5') };
        return [
          await u1.wallet.sendTransaction({
            account: u1.account,
            chain: chain.clients.chain,
            to: payee1.address,
            value: parseEther('0.01'),
            nonce: round,
            ...gas,
          }),
          await u2.wallet.sendTransaction({
            account: u2.account,
            chain: chain.clients.chain,
            to: payee2.address,
            value: parseEther('0.01'),
            nonce: round,
            ...gas,
          }),
        ];
      });
    }

    await followed();
    const CLUSTER = `query ($address: String!) { wallet(address: $address) { cluster { members confidence links { a b heuristic score evidence } } } }`;
    const { wallet } = await query(CLUSTER, { address: w2.address });
    expect(wallet.cluster.members).toEqual([w1.address, w2.address, w3.address].sort());
    expect(wallet.cluster.confidence).toBeCloseTo(0.9); // 1 - (1 - 0.5)(1 - 0.8)
    const heuristics = new Set((wallet.cluster.links as { heuristic: string }[]).map((link) => link.heuristic));
    expect(heuristics).toEqual(new Set(['COMMON_FUNDER', 'DEPOSIT_ADDRESS']));
    expect(wallet.cluster.links).toContainEqual(expect.objectContaining({ heuristic: 'COMMON_FUNDER', evidence: `both first funded by ${source.address}` }));
    expect(wallet.cluster.links).toContainEqual(
      expect.objectContaining({ heuristic: 'DEPOSIT_ADDRESS', evidence: `both paid into ${deposit.address}, which swept to ${hotWallet.address}` }),
    );

    // Co-active three times (weak evidence, 0.3): not one actor.
    const unrelated = await query(
      `{ a: wallet(address: "${u1.address}") { cluster { members } } b: wallet(address: "${u2.address}") { cluster { members } } }`,
    );
    expect(unrelated).toEqual({ a: { cluster: null }, b: { cluster: null } });
    const deposited = await query(CLUSTER, { address: deposit.address });
    expect(deposited.wallet.cluster).toBeNull();
  });
  it('clusters the hops of a peel chain, and two siblings that sent value back and forth', async () => {
    const [hop0, hop1, hop2, shop1, shop2] = [newActor(), newActor(), newActor(), newActor(), newActor()];
    await fund(hop0.address, '5');
    await send(hop0, shop1.address, '0.5'); // the peel: a payment
    await send(hop0, hop1.address, '4.4'); // the change, to a fresh address
    await send(hop1, shop2.address, '0.4');
    await send(hop1, hop2.address, '3.9');

    const [source, r1, r2] = [newActor(), newActor(), newActor()];
    await fund(source.address, '3');
    await send(source, r1.address, '1');
    await send(source, r2.address, '1');
    await send(r1, r2.address, '0.2');
    await send(r2, r1.address, '0.1');

    await followed();
    const CLUSTER = `query ($address: String!) { wallet(address: $address) { cluster { members confidence links { heuristic evidence } } } }`;
    const peel = (await query(CLUSTER, { address: hop1.address })).wallet.cluster;
    expect(peel.members).toEqual([hop0.address, hop1.address, hop2.address].sort());
    expect(peel.confidence).toBeCloseTo(0.7);
    expect(peel.links).toContainEqual({
      heuristic: 'PEEL_CHAIN',
      evidence: `${hop0.address}, funded once, peeled ${parseEther('0.5')} off to ${shop1.address} and passed ${parseEther('4.4')} on to the fresh ${hop1.address}`,
    });
    expect((await query(CLUSTER, { address: shop1.address })).wallet.cluster).toBeNull();

    const siblings = (await query(CLUSTER, { address: r1.address })).wallet.cluster;
    expect(siblings.members).toEqual([r1.address, r2.address].sort());
    expect(siblings.confidence).toBeCloseTo(0.8); // 1 - (1 - 0.5)(1 - 0.6)
    expect(new Set(siblings.links.map((link: { heuristic: string }) => link.heuristic))).toEqual(new Set(['COMMON_FUNDER', 'ROUND_TRIP']));
  });
});

/** A contract call mined at once, by the operator unless another wallet is given. */
async function write(address: Address, abi: readonly unknown[], functionName: string, args: unknown[], by?: Actor): Promise<void> {
  const wallet = by?.wallet ?? chain.clients.wallet;
  const hash = await wallet.writeContract({
    address,
    abi,
    functionName,
    args,
    account: by?.account ?? chain.clients.wallet.account,
    chain: chain.clients.chain,
  } as never);
  const receipt = await chain.clients.public.waitForTransactionReceipt({ hash });

  expect(receipt.status).toBe('success');
}

async function followedBlock(): Promise<number> {
  const cursor = await blockchain.subgraph.database.prisma.chainCursor.findFirst();
  return Number(cursor?.blockNumber ?? -1);
}

/** Waits until the follower has stored `blockNumber` (the head by default), findings included: then one query sees a settled answer. */
async function followed(blockNumber?: number): Promise<void> {
  // cacheTime 0: viem would otherwise answer from its own few-seconds cache of the head.
  const target = blockNumber ?? Number(await chain.clients.public.getBlockNumber({ cacheTime: 0 }));
  await eventually(async () => ((await followedBlock()) >= target ? true : undefined), 15_000, `the follower at block ${target}`);
}

describe('MEV detection', () => {
  const ONE = 10n ** 18n;
  let pool: { address: Address; abi: readonly unknown[] };
  let token0: { address: Address; abi: readonly unknown[] };
  let token1: { address: Address; abi: readonly unknown[] };
  let attacker: Actor;
  let victim: Actor;
  let honest: Actor;

  /** x * y = k with the pool's 0.3 % fee, as ConstantProductPool computes it. */
  const amountOut = (amountIn: bigint, reserveIn: bigint, reserveOut: bigint) => (amountIn * 997n * reserveOut) / (reserveIn * 1000n + amountIn * 997n);

  beforeAll(async () => {
    const a = await deployFixture(chain, 'PlainToken', ['Token A', 'TKA', 10n ** 9n * ONE]);
    const b = await deployFixture(chain, 'PlainToken', ['Token B', 'TKB', 10n ** 9n * ONE]);
    pool = await deployFixture(chain, 'ConstantProductPool', [a.address, b.address]);
    [token0, token1] = [a, b];
    for (const token of [a, b]) await write(token.address, token.abi, 'approve', [pool.address, 2n ** 255n]);
    await write(pool.address, pool.abi, 'addLiquidity', [1000n * ONE, 1000n * ONE]);
    [attacker, victim, honest] = [newActor(), newActor(), newActor()];
    for (const actor of [attacker, victim, honest]) {
      await fund(actor.address, '1');
      await write(a.address, a.abi, 'transfer', [actor.address, 500n * ONE]);
      await write(b.address, b.abi, 'transfer', [actor.address, 100n * ONE]);
      for (const token of [a, b]) await write(token.address, token.abi, 'approve', [pool.address, 2n ** 255n], actor);
    }
  }, 60_000);

  /** A swap with its nonce and gas price fixed, so several can wait for one block (on the V2 pool unless told). */
  const swap = (actor: Actor, amountIn: bigint, zeroForOne: boolean, nonce: number, gwei: string, on: { address: Address; abi: readonly unknown[] } = pool) =>
    actor.wallet.writeContract({
      address: on.address,
      abi: on.abi,
      functionName: 'swap',
      args: [amountIn, zeroForOne, 0n],
      account: actor.account,
      chain: chain.clients.chain,
      nonce,
      gas: 200_000n,
      gasPrice: parseGwei(gwei),
    } as never);
  const nonceOf = (actor: Actor) => chain.clients.public.getTransactionCount({ address: actor.address });

  const MEV = `query ($number: Int!, $front: String!, $victim: String!, $back: String!) {
    block(number: $number) { number mevActivity { kind attacker victim pool profit profitToken transactions { role transaction { hash } } } }
    front: transaction(hash: $front) { mevRole }
    victim: transaction(hash: $victim) { mevRole }
    back: transaction(hash: $back) { mevRole }
  }`;

  let snapshot: string;
  let sandwich: { hashes: Hash[]; blockNumber: number };

  it('finds a sandwich with its attacker, victim and profit, and publishes it', async () => {
    snapshot = await chain.rpc<string>('evm_snapshot');
    const reserve = 1000n * ONE;
    const frontIn = 50n * ONE;
    const victimIn = 100n * ONE;
    const frontOut = amountOut(frontIn, reserve, reserve);
    const victimOut = amountOut(victimIn, reserve + frontIn, reserve - frontOut);
    const backOut = amountOut(frontOut, reserve - frontOut - victimOut, reserve + frontIn + victimIn);
    const attackerNonce = await nonceOf(attacker);
    const victimNonce = await nonceOf(victim);
    // Sent victim first, as a victim's transaction sits in the mempool: the gas prices order the block.
    sandwich = await inOneBlock(async () => [
      await swap(victim, victimIn, true, victimNonce, '20'),
      await swap(attacker, frontIn, true, attackerNonce, '30'),
      await swap(attacker, frontOut, false, attackerNonce + 1, '10'),
    ]);
    const [victimTx, frontTx, backTx] = sandwich.hashes;
    await followed(sandwich.blockNumber);
    const data = await query(MEV, { number: sandwich.blockNumber, front: frontTx, victim: victimTx, back: backTx });
    expect(data.block.mevActivity).toEqual([
      {
        kind: 'SANDWICH',
        attacker: attacker.address,
        victim: victim.address,
        pool: pool.address.toLowerCase(),
        profit: (backOut - frontIn).toString(),
        profitToken: token0.address.toLowerCase(),
        transactions: [
          { role: 'FRONT_RUN', transaction: { hash: frontTx } },
          { role: 'VICTIM', transaction: { hash: victimTx } },
          { role: 'BACK_RUN', transaction: { hash: backTx } },
        ],
      },
    ]);
    expect(backOut).toBeGreaterThan(frontIn);
    expect([data.front.mevRole, data.victim.mevRole, data.back.mevRole]).toEqual(['FRONT_RUN', 'VICTIM', 'BACK_RUN']);
    await eventually(() => published.find((event) => event.blockHash && event.blockNumber === sandwich.blockNumber), 15_000, 'mevDetected');
    expect(published.filter((event) => event.blockNumber === sandwich.blockNumber)).toEqual([
      expect.objectContaining({ kind: 'SANDWICH', attacker: attacker.address, victim: victim.address, profit: (backOut - frontIn).toString() }),
    ]);
  });

  it('does not flag honest trades: a lone swap, and two traders swapping the same way at the same gas price', async () => {
    const lone = await inOneBlock(async () => [await swap(honest, 10n * ONE, true, await nonceOf(honest), '10')]);
    const pair = await inOneBlock(async () => [
      await swap(honest, 5n * ONE, true, await nonceOf(honest), '10'),
      await swap(victim, 5n * ONE, true, await nonceOf(victim), '10'),
    ]);
    await followed();
    for (const staged of [lone, pair]) {
      const [first, second = first] = staged.hashes;
      const data = await query(MEV, { number: staged.blockNumber, front: first, victim: second, back: first });
      expect(data.block.mevActivity).toEqual([]);
      expect([data.front.mevRole, data.victim.mevRole]).toEqual([null, null]);
    }
  });

  it('finds a plain front-run: a higher gas price bought the place just before a same-way trade', async () => {
    const staged = await inOneBlock(async () => [
      await swap(honest, 20n * ONE, true, await nonceOf(honest), '10'),
      await swap(attacker, 20n * ONE, true, await nonceOf(attacker), '40'),
    ]);
    const [honestTx, attackerTx] = staged.hashes;
    await followed(staged.blockNumber);
    const data = await query(MEV, { number: staged.blockNumber, front: attackerTx, victim: honestTx, back: attackerTx });
    expect(data.block.mevActivity).toEqual([
      expect.objectContaining({
        kind: 'FRONT_RUN',
        attacker: attacker.address,
        victim: honest.address,
        profit: null,
        transactions: [
          { role: 'FRONT_RUN', transaction: { hash: attackerTx } },
          { role: 'VICTIM', transaction: { hash: honestTx } },
        ],
      }),
    ]);
  });

  it('finds a back-run that takes part of a large trade’s price impact', async () => {
    const staged = await inOneBlock(async () => [
      await swap(victim, 100n * ONE, true, await nonceOf(victim), '20'),
      await swap(attacker, 5n * ONE, false, await nonceOf(attacker), '10'),
    ]);
    const [victimTx, attackerTx] = staged.hashes;
    await followed(staged.blockNumber);
    const data = await query(MEV, { number: staged.blockNumber, front: attackerTx, victim: victimTx, back: attackerTx });
    expect(data.block.mevActivity).toEqual([expect.objectContaining({ kind: 'BACK_RUN', attacker: attacker.address, victim: victim.address })]);
    expect([data.front.mevRole, data.victim.mevRole]).toEqual(['BACK_RUN', 'VICTIM']);
  });

  it('finds a cyclic arbitrage through two pools in one transaction, with its profit', async () => {
    const other = await deployFixture(chain, 'ConstantProductPool', [token1.address, token0.address]);
    for (const token of [token0, token1]) await write(token.address, token.abi, 'approve', [other.address, 2n ** 255n]);
    await write(other.address, other.abi, 'addLiquidity', [1000n * ONE, 2500n * ONE]); // token0 is much cheaper here
    const trader = await deployFixture(chain, 'CycleTrader');
    await write(token0.address, token0.abi, 'approve', [trader.address, 2n ** 255n], attacker);
    const read = (name: string) => chain.clients.public.readContract({ address: pool.address, abi: pool.abi, functionName: name } as never) as Promise<bigint>;
    const [reserve0, reserve1] = [await read('reserve0'), await read('reserve1')];
    const amountIn = 10n * ONE;
    const end = amountOut(amountOut(amountIn, reserve0, reserve1), 1000n * ONE, 2500n * ONE);
    const hash = await attacker.wallet.writeContract({
      address: trader.address,
      abi: trader.abi,
      functionName: 'cycle',
      args: [pool.address, other.address, amountIn],
      account: attacker.account,
      chain: chain.clients.chain,
    } as never);
    const receipt = await chain.clients.public.waitForTransactionReceipt({ hash });
    await followed(Number(receipt.blockNumber));
    const data = await query(MEV, { number: Number(receipt.blockNumber), front: hash, victim: hash, back: hash });
    expect(data.block.mevActivity).toEqual([
      {
        kind: 'ARBITRAGE',
        attacker: attacker.address,
        victim: null,
        pool: null,
        profit: (end - amountIn).toString(),
        profitToken: token0.address.toLowerCase(),
        transactions: [{ role: 'ARBITRAGE', transaction: { hash } }],
      },
    ]);
  });

  it('counts blocks analysed and findings by kind in /metrics', async () => {
    const text = await (await fetch(`${blockchain.subgraph.url}/metrics`)).text();
    for (const kind of ['SANDWICH', 'FRONT_RUN', 'BACK_RUN', 'ARBITRAGE'])
      expect(text).toContain(`blockchain_mev_findings_total{kind="${kind}",service="blockchain"} 1`);
    expect(text).toMatch(/blockchain_blocks_analysed_total\{service="blockchain"\} [1-9]\d*/);
    expect(text).toMatch(/blockchain_analysis_duration_seconds_count\{service="blockchain",analysis="block"\} [1-9]/);
    expect(text).toContain('blockchain_analysis_cap_hit_total{service="blockchain"} 0');
  });

  it('reads Uniswap-V3-style Swap logs too: a sandwich on such a pool is found', async () => {
    const v3 = await deployFixture(chain, 'V3StylePool', [token0.address, token1.address]);
    for (const token of [token0, token1]) await write(token.address, token.abi, 'approve', [v3.address, 2n ** 255n]);
    await write(v3.address, v3.abi, 'addLiquidity', [1000n * ONE, 1000n * ONE]);
    for (const actor of [attacker, honest])
      for (const token of [token0, token1]) await write(token.address, token.abi, 'approve', [v3.address, 2n ** 255n], actor);
    const swapOn = (actor: Actor, amountIn: bigint, zeroForOne: boolean, nonce: number, gwei: string) => swap(actor, amountIn, zeroForOne, nonce, gwei, v3);
    const frontIn = 20n * ONE;
    const frontOut = amountOut(frontIn, 1000n * ONE, 1000n * ONE);
    const victimOut = amountOut(40n * ONE, 1000n * ONE + frontIn, 1000n * ONE - frontOut);
    const backOut = amountOut(frontOut, 1000n * ONE - frontOut - victimOut, 1000n * ONE + frontIn + 40n * ONE);
    const nonce = await nonceOf(attacker);
    const staged = await inOneBlock(async () => [
      await swapOn(honest, 40n * ONE, true, await nonceOf(honest), '20'),
      await swapOn(attacker, frontIn, true, nonce, '30'),
      await swapOn(attacker, frontOut, false, nonce + 1, '10'),
    ]);
    await followed(staged.blockNumber);
    const data = await query(`query ($n: Int!) { block(number: $n) { mevActivity { kind attacker victim pool profit } } }`, { n: staged.blockNumber });
    expect(data.block.mevActivity).toEqual([
      { kind: 'SANDWICH', attacker: attacker.address, victim: honest.address, pool: v3.address.toLowerCase(), profit: (backOut - frontIn).toString() },
    ]);
  });

  it('analyses only the first BLOCKCHAIN_ANALYSIS_MAX_TRANSACTIONS transactions of a block, and counts the blocks cut short', async () => {
    const capped = await startBlockchainHarness(chain, { BLOCKCHAIN_ANALYSIS_MAX_TRANSACTIONS: '1' });
    try {
      const staged = await inOneBlock(async () => [
        await swap(honest, 20n * ONE, true, await nonceOf(honest), '10'),
        await swap(attacker, 20n * ONE, true, await nonceOf(attacker), '40'),
      ]);
      await followed(staged.blockNumber);
      const cursorOf = () => capped.subgraph.database.prisma.chainCursor.findFirst().then((cursor) => Number(cursor?.blockNumber ?? -1));
      await eventually(async () => ((await cursorOf()) >= staged.blockNumber ? true : undefined), 15_000, 'the capped follower');
      const mev = `query ($n: Int!) { block(number: $n) { mevActivity { kind } } }`;
      expect((await query(mev, { n: staged.blockNumber })).block.mevActivity).toEqual([{ kind: 'FRONT_RUN' }]);
      const cut = await capped.call<{ block: { mevActivity: unknown[] } }>(mev, { n: staged.blockNumber });
      expect(cut.data!.block.mevActivity).toEqual([]); // the victim's transaction was beyond the cap
      const text = await (await fetch(`${capped.subgraph.url}/metrics`)).text();
      expect(text).toMatch(/blockchain_analysis_cap_hit_total\{service="blockchain"\} [1-9]/);
    } finally {
      await capped.stop();
    }
  });

  it('streams mevDetected through the router over graphql-ws to a signed-in caller', async () => {
    const registered = await query(`mutation { register(email: "watcher@example.com", password: "correct horse battery") { token } }`);
    const client: Client = createClient({
      url: platform.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: bearer(registered.register.token as string),
      retryAttempts: 0,
    });
    const received: UntypedData[] = [];
    const stop = client.subscribe(
      { query: 'subscription { mevDetected { kind blockNumber attacker victim transactions { role transaction { hash mevRole } } } }' },
      { next: (result) => void received.push(result), error: () => undefined, complete: () => undefined },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 500)); // subscriptions start asynchronously upstream
      const nonce = await nonceOf(attacker);
      const staged = await inOneBlock(async () => [
        await swap(honest, 30n * ONE, true, await nonceOf(honest), '20'),
        await swap(attacker, 10n * ONE, true, nonce, '30'),
        await swap(attacker, 5n * ONE, false, nonce + 1, '10'),
      ]);
      const [victimTx, frontTx, backTx] = staged.hashes;
      const [event] = await eventually(() => (received.length > 0 ? received : undefined), 15_000, 'mevDetected through the router');
      expect(event).toEqual({
        data: {
          mevDetected: {
            kind: 'SANDWICH',
            blockNumber: staged.blockNumber,
            attacker: attacker.address,
            victim: honest.address,
            transactions: [
              { role: 'FRONT_RUN', transaction: { hash: frontTx, mevRole: 'FRONT_RUN' } },
              { role: 'VICTIM', transaction: { hash: victimTx, mevRole: 'VICTIM' } },
              { role: 'BACK_RUN', transaction: { hash: backTx, mevRole: 'BACK_RUN' } },
            ],
          },
        },
        extensions: { position: expect.stringMatching(/^\d+-\d+$/) },
      });
    } finally {
      stop();
      await client.dispose();
    }
  });

  it('withdraws the sandwich when a reorg drops its block', async () => {
    await chain.rpc('evm_revert', [snapshot]);
    await chain.mine(5); // a longer chain without the sandwich
    await eventually(
      async () => {
        const block = await query(`query ($n: Int!) { block(number: $n) { mevActivity { kind } } }`, { n: sandwich.blockNumber });
        const stored = await blockchain.subgraph.database.prisma.mevFinding.count({ where: { blockNumber: BigInt(sandwich.blockNumber) } });
        return block.block.mevActivity.length === 0 && stored === 0 ? true : undefined;
      },
      15_000,
      'the finding withdrawn',
    );
  });
});

describe('contract analysis through the router', () => {
  it('answers contractAnalysis for $FORGE', async () => {
    const data = await query(`query ($a: String!) { contractAnalysis(address: $a) { isContract standards { standard } riskLevel } }`, {
      a: chain.deployment.forgeToken,
    });
    expect(data.contractAnalysis).toEqual({ isContract: true, standards: [{ standard: 'ERC20' }], riskLevel: 'LOW' });
  });
});
