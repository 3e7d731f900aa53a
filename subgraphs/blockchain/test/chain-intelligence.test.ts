import { createWalletClient, http, parseEther, parseGwei, type Address, type Hash, type WalletClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { graphql, type UntypedData } from '@supergraph/testing';
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

    const head = Number(await chain.clients.public.getBlockNumber());
    await eventually(async () => ((await followedBlock()) >= head ? true : undefined), 15_000, 'the follower at the head');
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
});

async function followedBlock(): Promise<number> {
  const cursor = await blockchain.subgraph.database.prisma.chainCursor.findFirst();
  return Number(cursor?.blockNumber ?? -1);
}

describe('MEV detection', () => {
  const ONE = 10n ** 18n;
  let pool: { address: Address; abi: readonly unknown[] };
  let token0: { address: Address; abi: readonly unknown[] };
  let attacker: Actor;
  let victim: Actor;
  let honest: Actor;

  /** x * y = k with the pool's 0.3 % fee, as ConstantProductPool computes it. */
  const amountOut = (amountIn: bigint, reserveIn: bigint, reserveOut: bigint) => (amountIn * 997n * reserveOut) / (reserveIn * 1000n + amountIn * 997n);

  beforeAll(async () => {
    const a = await deployFixture(chain, 'PlainToken', ['Token A', 'TKA', 10n ** 9n * ONE]);
    const b = await deployFixture(chain, 'PlainToken', ['Token B', 'TKB', 10n ** 9n * ONE]);
    pool = await deployFixture(chain, 'ConstantProductPool', [a.address, b.address]);
    token0 = a;
    const operator = chain.clients.wallet;
    const write = async (
      address: Address,
      abi: readonly unknown[],
      functionName: string,
      args: unknown[],
      by: WalletClient = operator,
      account = operator.account!,
    ) => {
      const hash = await by.writeContract({ address, abi, functionName, args, account, chain: chain.clients.chain } as never);
      await chain.clients.public.waitForTransactionReceipt({ hash });
    };
    for (const token of [a, b]) await write(token.address, token.abi, 'approve', [pool.address, 2n ** 255n]);
    await write(pool.address, pool.abi, 'addLiquidity', [1000n * ONE, 1000n * ONE]);
    [attacker, victim, honest] = [newActor(), newActor(), newActor()];
    for (const actor of [attacker, victim, honest]) {
      await fund(actor.address, '1');
      await write(a.address, a.abi, 'transfer', [actor.address, 500n * ONE]);
      for (const token of [a, b]) await write(token.address, token.abi, 'approve', [pool.address, 2n ** 255n], actor.wallet, actor.account);
    }
  }, 60_000);

  const swap = (actor: Actor, amountIn: bigint, zeroForOne: boolean, nonce: number, gwei: string) =>
    actor.wallet.writeContract({
      address: pool.address,
      abi: pool.abi,
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
    const data = await eventually(
      async () => {
        const result = await query(MEV, { number: sandwich.blockNumber, front: frontTx, victim: victimTx, back: backTx });
        return result.block.mevActivity.length > 0 ? result : undefined;
      },
      15_000,
      'the sandwich found',
    );
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
    const head = Number(await chain.clients.public.getBlockNumber());
    await eventually(async () => ((await followedBlock()) >= head ? true : undefined), 15_000, 'the follower at the head');
    for (const staged of [lone, pair]) {
      const [first, second = first] = staged.hashes;
      const data = await query(MEV, { number: staged.blockNumber, front: first, victim: second, back: first });
      expect(data.block.mevActivity).toEqual([]);
      expect([data.front.mevRole, data.victim.mevRole]).toEqual([null, null]);
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
