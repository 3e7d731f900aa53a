import type { Address, Block, Hash } from 'viem';
import type { EventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';
import type { PrismaClient } from '../generated/prisma/client';
import { TRANSFER_EVENT } from '../chain/abis';
import type { ChainClients } from '../chain/rpc';
import type { BlockchainMetrics } from '../metrics';
import type { BlockAnalyser } from '../analysis/block-analyser';
import { publishNewBlock, publishTokenTransfer, type TransferStatus } from './chain-events';

export const FOLLOWER_CURSOR_ID = 'forge-transfers';
/** Blocks this close to the head are news: their events are published live. */
const LIVE_DEPTH = 32n;
/** How long one batch's write (blocks, transfers, findings, wallet links, cursor) may hold its transaction. */
const BATCH_TRANSACTION_TIMEOUT_MS = 60_000;

export interface FollowerOptions {
  prisma: PrismaClient;
  clients: ChainClients;
  events: EventBus;
  metrics: BlockchainMetrics;
  logger: Logger;
  token: Address;
  /** Depth at which a transfer is CONFIRMED (1 = in a block). */
  confirmations: number;
  pollIntervalMs: number;
  /** First block to read on a fresh database. */
  startBlock: number;
  /** Blocks read per round while catching up. */
  batchSize?: number;
  /** Recent blocks kept to find a reorg's common ancestor; deeper reorgs are logged as errors. */
  reorgWindow?: number;
  /** Chain intelligence over each block added: its findings are stored with the block and withdrawn with it on a reorg. */
  analyser?: BlockAnalyser;
  /** Called before a transfer's event is published: caches drop what it changed (balances, a removed transaction). */
  onTransferChanged?: (transfer: { txHash: string; from: string; to: string; status: TransferStatus }) => Promise<void>;
}

/**
 * Follows the chain: new blocks and $FORGE Transfer logs, stored with the follower's position in
 * one transaction per batch, then published from an outbox. New heads arrive over WebSocket
 * (eth_subscribe newHeads) when there is one; a poll every `pollIntervalMs` covers a missing or
 * broken socket. Each round first checks that the last processed block is still canonical: when
 * not (a reorg), it walks back to the common ancestor, marks the transfers above it REMOVED and
 * reads forward again. A restart resumes after the stored cursor, so no block is skipped; the
 * unique (tx_hash, log_index) and the outbox flag make sure none is stored or published twice.
 */
export class ChainFollower {
  private readonly batchSize: number;
  private readonly reorgWindow: number;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private lastHead = 0n;

  constructor(private readonly options: FollowerOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.reorgWindow = options.reorgWindow ?? 128;
  }

  start(): void {
    const { clients, logger } = this.options;
    if (clients.ws) {
      this.unwatch = clients.ws.watchBlockNumber({
        emitOnBegin: false,
        onBlockNumber: () => void this.sync(),
        onError: (error) => logger.warn('new-block subscription failed; polling continues', { error: error.message }),
      });
    }
    const poll = () => {
      if (this.stopped) return;
      void this.sync().finally(() => {
        if (!this.stopped) this.timer = setTimeout(poll, this.options.pollIntervalMs);
      });
    };
    poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unwatch?.();
    await this.running;
  }

  /** Processes everything up to the current head; concurrent calls share one run. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          while (!this.stopped && (await this.round())) {
            // keep going while a round made progress and more blocks wait
          }
        } catch (error) {
          this.options.logger.warn('chain follower round failed; retrying on the next block or poll', {
            error: error instanceof Error ? error.message.split('\n')[0] : String(error),
          });
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** One step: reorg check, one batch of blocks, confirmations, outbox. True when more blocks wait. */
  private async round(): Promise<boolean> {
    const { prisma, clients, metrics } = this.options;
    const chainId = clients.chain.id;
    const head = await clients.public.getBlockNumber({ cacheTime: 0 });
    this.lastHead = head;
    metrics.chainHead.set(Number(head));

    let cursor = await prisma.chainCursor.findUnique({ where: { id: FOLLOWER_CURSOR_ID } });
    if (cursor && cursor.chainId !== chainId) {
      this.options.logger.error('the node serves another chain than the stored cursor; starting over', { stored: cursor.chainId, chainId });
      await prisma.$transaction(async (tx) => {
        await tx.tokenTransfer.deleteMany();
        await tx.processedBlock.deleteMany();
        await tx.chainCursor.deleteMany();
        await this.options.analyser?.withdrawAbove(tx, -1n);
      });
      cursor = null;
    }
    const last = cursor ? { number: cursor.blockNumber, hash: cursor.blockHash } : { number: BigInt(this.options.startBlock) - 1n, hash: '' };

    if (cursor && last.number >= 0n) {
      const canonical = last.number <= head ? await clients.public.getBlock({ blockNumber: last.number }) : undefined;
      if (canonical?.hash !== last.hash) {
        await this.undoReorg(last.number, head);
        await this.relay();
        return true;
      }
    }

    let progressed = false;
    if (last.number < head) {
      const from = last.number + 1n;
      const to = head < from + BigInt(this.batchSize) - 1n ? head : from + BigInt(this.batchSize) - 1n;
      progressed = await this.processRange(from, to, last.hash, head);
    }
    await this.confirm(head);
    await this.relay();
    const processed = (await prisma.chainCursor.findUnique({ where: { id: FOLLOWER_CURSOR_ID } }))?.blockNumber ?? last.number;
    metrics.followedBlock.set(Number(processed));
    return progressed && processed < head;
  }

  private async processRange(from: bigint, to: bigint, previousHash: string, head: bigint): Promise<boolean> {
    const { prisma, clients, token } = this.options;
    const numbers: bigint[] = [];
    for (let n = from; n <= to; n++) numbers.push(n);
    // One batched RPC round for the headers, one for the logs.
    const [blocks, logs] = await Promise.all([
      Promise.all(numbers.map((blockNumber) => clients.public.getBlock({ blockNumber }))),
      clients.public.getLogs({ address: token, event: TRANSFER_EVENT, fromBlock: from, toBlock: to }),
    ]);
    // The headers must form one chain on top of the cursor, and every log must come from them:
    // otherwise the chain moved while we read, and the next round (reorg check first) tries again.
    let parent = previousHash;
    for (const block of blocks) {
      if (parent && block.parentHash !== parent) return false;
      parent = block.hash!;
    }
    const hashes = new Map(blocks.map((block) => [block.number!, block.hash!]));
    if (logs.some((log) => hashes.get(log.blockNumber!) !== log.blockHash)) return false;

    const analyser = this.options.analyser;
    const findings = analyser
      ? await analyser.analyse(
          blocks,
          logs.map((log) => ({
            transactionHash: log.transactionHash!,
            logIndex: log.logIndex!,
            blockNumber: log.blockNumber!,
            from: log.args.from!.toLowerCase(),
            to: log.args.to!.toLowerCase(),
            value: log.args.value!,
          })),
        )
      : [];

    const final = head - BigInt(this.options.confirmations) + 1n;
    const last = blocks.at(-1)!;
    await prisma.$transaction(
      async (tx) => {
        await analyser?.store(tx, findings);
        await tx.processedBlock.createMany({
          data: blocks.map((block) => ({
            number: block.number!,
            hash: block.hash!,
            parentHash: block.parentHash,
            timestamp: new Date(Number(block.timestamp) * 1000),
            transactionCount: block.transactions.length,
          })),
          skipDuplicates: true,
        });
        if (logs.length > 0) {
          const existing = await tx.tokenTransfer.findMany({
            where: { OR: logs.map((log) => ({ txHash: log.transactionHash!, logIndex: log.logIndex! })) },
          });
          const known = new Map(existing.map((row) => [`${row.txHash}:${row.logIndex}`, row]));
          for (const log of logs) {
            const row = known.get(`${log.transactionHash}:${log.logIndex}`);
            const status: TransferStatus = log.blockNumber! <= final ? 'CONFIRMED' : 'PENDING';
            const data = { blockNumber: log.blockNumber!, blockHash: log.blockHash!, status, publishPending: true };
            if (!row) {
              await tx.tokenTransfer.create({
                data: {
                  txHash: log.transactionHash!,
                  logIndex: log.logIndex!,
                  fromAddress: log.args.from!.toLowerCase(),
                  toAddress: log.args.to!.toLowerCase(),
                  value: log.args.value!.toString(),
                  ...data,
                },
              });
            } else if (row.status === 'REMOVED') {
              // Back on the canonical chain after a reorg, possibly in another block.
              await tx.tokenTransfer.update({ where: { txHash_logIndex: { txHash: row.txHash, logIndex: row.logIndex } }, data });
            }
            // Otherwise already stored (a replay after a restart): nothing to do, nothing to publish.
          }
        }
        await tx.chainCursor.upsert({
          where: { id: FOLLOWER_CURSOR_ID },
          create: { id: FOLLOWER_CURSOR_ID, chainId: this.options.clients.chain.id, blockNumber: last.number!, blockHash: last.hash! },
          update: { blockNumber: last.number!, blockHash: last.hash! },
        });
        await tx.processedBlock.deleteMany({ where: { number: { lt: last.number! - BigInt(this.reorgWindow) } } });
        // Wallet linking queries per transfer: a catch-up batch of busy blocks outlasts Prisma's 5 s default.
      },
      { timeout: BATCH_TRANSACTION_TIMEOUT_MS },
    );
    // Live events only near the head: a long catch-up is history, not news.
    await analyser?.publish(findings, (block) => head - block.number < LIVE_DEPTH);
    for (const block of blocks) {
      if (head - block.number! < LIVE_DEPTH) await publishNewBlock(this.options.events, blockEvent(this.options.clients.chain.id, block));
    }
    return true;
  }

  /** Walks back from `from` to the newest stored block that is still canonical, and rewinds to it. */
  private async undoReorg(from: bigint, head: bigint): Promise<void> {
    const { prisma, clients, logger, metrics } = this.options;
    const stored = await prisma.processedBlock.findMany({ where: { number: { lte: from } }, orderBy: { number: 'desc' }, take: this.reorgWindow });
    let ancestor: { number: bigint; hash: string } | undefined;
    for (const block of stored) {
      if (block.number > head) continue;
      const canonical = await clients.public.getBlock({ blockNumber: block.number });
      if (canonical.hash === block.hash) {
        ancestor = { number: block.number, hash: block.hash };
        break;
      }
    }
    if (!ancestor) {
      // Deeper than the window (or the chain was reset): start again below everything we know.
      const lowest = stored.at(-1)?.number ?? BigInt(this.options.startBlock);
      // Never above the head: a node that restarted with a shorter chain has no blocks up there.
      const number = lowest - 1n < head ? lowest - 1n : head;
      logger.error('reorg deeper than the kept window; rewinding below it', { from: from.toString(), to: number.toString() });
      ancestor = { number, hash: number >= 0n ? (await clients.public.getBlock({ blockNumber: number })).hash! : '' };
    }
    const anchor = ancestor;
    const removed = await prisma.$transaction(async (tx) => {
      const { count } = await tx.tokenTransfer.updateMany({
        where: { blockNumber: { gt: anchor.number }, status: { not: 'REMOVED' } },
        data: { status: 'REMOVED', publishPending: true },
      });
      await tx.processedBlock.deleteMany({ where: { number: { gt: anchor.number } } });
      await this.options.analyser?.withdrawAbove(tx, anchor.number);
      if (anchor.number < 0n) await tx.chainCursor.deleteMany({ where: { id: FOLLOWER_CURSOR_ID } });
      else await tx.chainCursor.update({ where: { id: FOLLOWER_CURSOR_ID }, data: { blockNumber: anchor.number, blockHash: anchor.hash } });
      return count;
    });
    metrics.reorgs.inc();
    logger.warn('chain reorganisation undone', { from: from.toString(), commonAncestor: anchor.number.toString(), transfersRemoved: removed });
  }

  /** PENDING transfers that are now deep enough become CONFIRMED (and are published again). */
  private async confirm(head: bigint): Promise<void> {
    const final = head - BigInt(this.options.confirmations) + 1n;
    await this.options.prisma.tokenTransfer.updateMany({
      where: { status: 'PENDING', blockNumber: { lte: final } },
      data: { status: 'CONFIRMED', publishPending: true },
    });
  }

  /** The outbox: publishes every transfer whose status changed since it was last published. */
  private async relay(): Promise<void> {
    const { prisma, events, clients, token, metrics } = this.options;
    for (;;) {
      const pending = await prisma.tokenTransfer.findMany({
        where: { publishPending: true },
        orderBy: [{ blockNumber: 'asc' }, { logIndex: 'asc' }],
        take: 500,
      });
      if (pending.length === 0) return;
      for (const row of pending) {
        const confirmations = row.status === 'REMOVED' ? 0 : Math.max(0, Number(this.lastHead - row.blockNumber) + 1);
        // Before the event goes out, so a subscriber reading the balances sees the new ones.
        await this.options.onTransferChanged?.({ txHash: row.txHash, from: row.fromAddress, to: row.toAddress, status: row.status });
        await publishTokenTransfer(events, {
          chainId: clients.chain.id,
          token,
          txHash: row.txHash,
          logIndex: row.logIndex,
          from: row.fromAddress,
          to: row.toAddress,
          value: row.value,
          blockNumber: Number(row.blockNumber),
          blockHash: row.blockHash,
          confirmations,
          status: row.status,
        });
        await prisma.tokenTransfer.updateMany({
          where: { txHash: row.txHash, logIndex: row.logIndex, status: row.status },
          data: { publishPending: false },
        });
        metrics.transfersSeen.inc({ status: row.status });
      }
    }
  }
}

export function blockEvent(chainId: number, block: Block) {
  return {
    chainId,
    number: Number(block.number),
    hash: block.hash as Hash,
    parentHash: block.parentHash,
    timestamp: new Date(Number(block.timestamp) * 1000).toISOString(),
    transactionCount: block.transactions.length,
  };
}
