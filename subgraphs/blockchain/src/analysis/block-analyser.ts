import { decodeEventLog, getAddress, type Address, type Block, type Hash, type Log } from 'viem';
import type { EventBus } from '@supergraph/pubsub';
import type { Prisma } from '../generated/prisma/client';
import type { ChainClients } from '../chain/rpc';
import { publishMevDetected } from '../events/chain-events';
import type { BlockchainMetrics } from '../metrics';
import { detectMev, SWAP_EVENTS, toTrade, type MevPattern, type SwapTrade } from './mev';
import { WalletLinker, type ValueEdge, type WalletLinkOptions } from './wallet-links';

export interface BlockAnalyserOptions {
  clients: ChainClients;
  events: EventBus;
  metrics: BlockchainMetrics;
  /** Transactions of one block analysed at most (in block order); the rest are skipped and counted. */
  maxTransactionsPerBlock: number;
  links?: WalletLinkOptions;
}

/** What one block yielded, computed before the follower's transaction and written inside it. */
export interface BlockFindings {
  number: bigint;
  hash: Hash;
  patterns: MevPattern[];
  edges: ValueEdge[];
}

/** The $FORGE Transfer logs the follower read, as value edges need them. */
export interface TokenTransferLog {
  transactionHash: Hash;
  logIndex: number;
  blockNumber: bigint;
  from: string;
  to: string;
  value: bigint;
}

/**
 * Chain intelligence per block the follower adds: MEV patterns from the order of Uniswap-V2- and
 * V3-style Swap logs, and the value transfers (ETH and $FORGE) the wallet-link heuristics read. Reads what
 * it needs by block hash, so it sees exactly the block the follower is storing.
 */
export class BlockAnalyser {
  private readonly linker: WalletLinker;
  private readonly poolTokens = new Map<string, { token0: Address; token1: Address } | null>();

  constructor(private readonly options: BlockAnalyserOptions) {
    this.linker = new WalletLinker(options.links);
  }

  async analyse(blocks: readonly Block[], transfers: readonly TokenTransferLog[]): Promise<BlockFindings[]> {
    return Promise.all(blocks.map((block) => this.analyseBlock(block, transfers)));
  }

  private async analyseBlock(header: Block, transfers: readonly TokenTransferLog[]): Promise<BlockFindings> {
    const { clients, metrics, maxTransactionsPerBlock } = this.options;
    const stop = metrics.analysisDuration.startTimer({ analysis: 'block' });
    const blockHash = header.hash!;
    const [block, logs] = await Promise.all([
      clients.public.getBlock({ blockHash, includeTransactions: true }),
      clients.public.getLogs({ blockHash, events: SWAP_EVENTS }),
    ]);
    let transactions = block.transactions;
    if (transactions.length > maxTransactionsPerBlock) {
      transactions = transactions.slice(0, maxTransactionsPerBlock);
      metrics.analysisCapHit.inc();
    }
    const byHash = new Map(transactions.map((tx) => [tx.hash, tx]));
    const swaps: SwapTrade[] = [];
    for (const log of logs as Log[]) {
      const tx = byHash.get(log.transactionHash!);
      if (!tx) continue; // beyond the cap
      const { args } = decodeEventLog({ abi: SWAP_EVENTS, data: log.data, topics: log.topics });
      const trade = toTrade(args);
      if (!trade) continue;
      swaps.push({
        txHash: tx.hash,
        txIndex: tx.transactionIndex,
        logIndex: log.logIndex!,
        actor: tx.from.toLowerCase(),
        gasPrice: tx.gasPrice ?? 0n,
        pool: log.address.toLowerCase(),
        ...trade,
      });
    }
    await Promise.all([...new Set(swaps.map((swap) => swap.pool))].map((pool) => this.loadPoolTokens(pool)));
    const patterns = detectMev(swaps, (pool) => this.poolTokens.get(pool) ?? undefined);

    // ETH moves only when the transaction succeeded: receipts for those that carry value.
    const paying = transactions.filter((tx) => tx.value > 0n && tx.to);
    const receipts = await Promise.all(paying.map((tx) => clients.public.getTransactionReceipt({ hash: tx.hash })));
    const edges: ValueEdge[] = paying
      .filter((_, i) => receipts[i]!.status === 'success')
      .map((tx) => ({
        txHash: tx.hash,
        logIndex: -1,
        blockNumber: block.number,
        from: tx.from.toLowerCase(),
        to: tx.to!.toLowerCase(),
        asset: 'ETH' as const,
        value: tx.value,
        fromIsSender: true,
      }));
    for (const transfer of transfers) {
      const tx = byHash.get(transfer.transactionHash);
      if (transfer.blockNumber !== block.number || !tx || transfer.value === 0n) continue;
      edges.push({
        txHash: transfer.transactionHash,
        logIndex: transfer.logIndex,
        blockNumber: block.number,
        from: transfer.from,
        to: transfer.to,
        asset: 'FORGE',
        value: transfer.value,
        fromIsSender: tx.from.toLowerCase() === transfer.from,
      });
    }
    stop();
    return { number: block.number, hash: blockHash, patterns, edges };
  }

  /** Writes a batch's findings inside the follower's transaction. */
  async store(tx: Prisma.TransactionClient, findings: readonly BlockFindings[]): Promise<void> {
    for (const block of findings) {
      if (block.patterns.length > 0) {
        await tx.mevFinding.createMany({
          data: block.patterns.map((pattern) => ({
            blockNumber: block.number,
            blockHash: block.hash,
            kind: pattern.kind,
            attacker: pattern.attacker,
            victim: pattern.victim,
            pool: pattern.pool,
            txHashes: pattern.transactions.map((entry) => entry.hash),
            txRoles: pattern.transactions.map((entry) => entry.role),
            profit: pattern.profit?.toString() ?? null,
            profitToken: pattern.profitToken?.toLowerCase() ?? null,
          })),
        });
      }
      await this.linker.record(tx, block.number, block.edges);
    }
  }

  /** Inside the follower's reorg transaction: findings and links of the removed blocks leave with them. */
  async withdrawAbove(tx: Prisma.TransactionClient, blockNumber: bigint): Promise<void> {
    await tx.mevFinding.deleteMany({ where: { blockNumber: { gt: blockNumber } } });
    await this.linker.withdrawAbove(tx, blockNumber);
  }

  /** After the commit: counts and announces what was found. */
  async publish(findings: readonly BlockFindings[], live: (block: BlockFindings) => boolean): Promise<void> {
    const { metrics, events, clients } = this.options;
    for (const block of findings) {
      metrics.blocksAnalysed.inc();
      for (const pattern of block.patterns) {
        metrics.findings.inc({ kind: pattern.kind });
        if (!live(block)) continue;
        await publishMevDetected(events, {
          chainId: clients.chain.id,
          blockNumber: Number(block.number),
          blockHash: block.hash,
          kind: pattern.kind,
          attacker: pattern.attacker,
          victim: pattern.victim,
          pool: pattern.pool,
          transactions: pattern.transactions,
          profit: pattern.profit?.toString() ?? null,
          profitToken: pattern.profitToken?.toLowerCase() ?? null,
        });
      }
    }
  }

  /** A pool's tokens never change: read once (null when it does not answer token0/token1). */
  private async loadPoolTokens(pool: string): Promise<void> {
    if (this.poolTokens.has(pool)) return;
    const read = (functionName: 'token0' | 'token1') =>
      this.options.clients.public.readContract({ address: getAddress(pool), abi: POOL_ABI, functionName }).then((address) => address.toLowerCase() as Address);
    try {
      const [token0, token1] = await Promise.all([read('token0'), read('token1')]);
      this.poolTokens.set(pool, { token0, token1 });
    } catch {
      this.poolTokens.set(pool, null);
    }
  }
}

const POOL_ABI = [
  { type: 'function', name: 'token0', stateMutability: 'view', inputs: [], outputs: [{ type: 'address' }] },
  { type: 'function', name: 'token1', stateMutability: 'view', inputs: [], outputs: [{ type: 'address' }] },
] as const;
