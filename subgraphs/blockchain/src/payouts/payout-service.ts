import { TransactionReceiptNotFoundError, type Address, type Hex } from 'viem';
import { clientError, type Logger } from '@supergraph/server';
import type { Payout, Prisma, PrismaClient } from '../generated/prisma/client';
import type { ChainClients } from '../chain/rpc';
import type { TreasuryPayouts } from '../chain/treasury';
import type { BlockchainMetrics } from '../metrics';
import { PAYOUT_CONFIRMED, type PayoutConfirmed } from '../events/payout-events';

export interface PayoutRequest {
  /** The payments stake entry id: one payout per id, ever. */
  entryId: string;
  to: Address;
  amount: bigint;
}

/** Where a payout can be stopped by a test, as a crash would stop it. */
export type PayoutStep = 'sign' | 'broadcast' | 'confirm';

/** Failure injection (tests only): throwing from `before` stops the payout just before that step. */
export interface PayoutFaults {
  before(step: PayoutStep, payout: Payout): void | Promise<void>;
}

export interface PayoutServiceOptions {
  prisma: PrismaClient;
  clients: ChainClients;
  treasury: TreasuryPayouts;
  /** Depth at which a payout counts as paid (BLOCKCHAIN_CONFIRMATIONS). */
  confirmations: number;
  /** How often open payouts are driven forward (BLOCKCHAIN_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
  logger: Logger;
  metrics: BlockchainMetrics;
  /** Called after a commit that wrote an outbox row, so the relay publishes at once. */
  onCommitted?: () => void;
  faults?: PayoutFaults;
}

/**
 * Pays unstaked $FORGE from the treasury exactly once per entry id, across crashes and restarts.
 *
 * PENDING ─sign─▶ SENT ─mined, deep enough─▶ CONFIRMED (+ blockchain.payoutConfirmed in the outbox)
 *
 * The row exists before anything is signed, and the signed transaction (hash, nonce, raw bytes)
 * is stored before it is broadcast. So after a crash at any point the next run knows the one
 * transaction that may be on its way, and asks the chain about it: mined — wait for depth;
 * unknown but its nonce still free — broadcast the same bytes again (one hash is mined at most
 * once); unknown and its nonce taken, `confirmations` deep, by another transaction — it can never
 * be mined, so only then is the payout signed anew. A transaction that reverted paid nothing and
 * is left FAILED for an operator rather than retried into a loop of reverts.
 */
export class PayoutService {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PayoutServiceOptions) {}

  /** Records the payout (once per entry id) and drives it. PAYOUT_CONFLICT if the id was asked for with another address or amount. */
  async request({ entryId, to, amount }: PayoutRequest): Promise<Payout> {
    const { prisma } = this.options;
    const toAddress = to.toLowerCase();
    await prisma.payout.createMany({ data: [{ entryId, toAddress, amount: amount.toString() }], skipDuplicates: true });
    const payout = await prisma.payout.findUniqueOrThrow({ where: { entryId } });
    if (payout.toAddress !== toAddress || payout.amount !== amount.toString()) {
      throw clientError('PAYOUT_CONFLICT', `Payout ${entryId} was already requested with another address or amount`, { field: 'entryId' });
    }
    void this.drain();
    return payout;
  }

  find(entryId: string): Promise<Payout | null> {
    return this.options.prisma.payout.findUnique({ where: { entryId } });
  }

  /** Drives open payouts now and every poll interval (at start this resumes what a restart interrupted). */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.drain().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.pollIntervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Moves every open payout one step on; concurrent calls share one run (and ask for another pass). */
  drain(): Promise<void> {
    this.again = true;
    this.running ??= (async () => {
      while (this.again && !this.stopped) {
        this.again = false;
        await this.pass();
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const { prisma, logger } = this.options;
    let open: Payout[];
    try {
      open = await prisma.payout.findMany({ where: { status: { in: ['PENDING', 'SENT'] } }, orderBy: { createdAt: 'asc' }, take: 50 });
    } catch (error) {
      logger.warn('could not read open payouts; will retry', { error: messageOf(error) });
      return;
    }
    for (const payout of open) {
      if (this.stopped) return;
      try {
        if (payout.status === 'PENDING') await this.send(payout);
        else await this.settle(payout);
      } catch (error) {
        logger.warn('payout step failed; will retry', { entryId: payout.entryId, status: payout.status, error: messageOf(error) });
      }
    }
  }

  /** PENDING: sign, record the signed transaction, then broadcast it — in that order. */
  private async send(payout: Payout): Promise<void> {
    const { prisma, treasury, logger, faults } = this.options;
    await faults?.before('sign', payout);
    await treasury.exclusive(async () => {
      const signed = await treasury.signPayout(payout.toAddress as Address, BigInt(payout.amount));
      const { count } = await prisma.payout.updateMany({
        where: { entryId: payout.entryId, status: 'PENDING' },
        data: { status: 'SENT', txHash: signed.hash, nonce: signed.nonce, rawTransaction: signed.raw },
      });
      // Another instance signed it first: this transaction was never sent and never will be.
      if (count === 0) return;
      logger.info('payout signed', { entryId: payout.entryId, txHash: signed.hash, nonce: signed.nonce, to: payout.toAddress, amount: payout.amount });
      await this.broadcast({ ...payout, status: 'SENT', txHash: signed.hash, nonce: signed.nonce, rawTransaction: signed.raw });
    });
  }

  private async broadcast(payout: Payout): Promise<void> {
    await this.options.faults?.before('broadcast', payout);
    try {
      await this.options.treasury.broadcast(payout.rawTransaction as Hex);
    } catch (error) {
      // "already known", "nonce too low", node down: the next pass asks the chain what became of it.
      this.options.logger.warn('payout broadcast refused; the chain will be re-checked', {
        entryId: payout.entryId,
        txHash: payout.txHash,
        error: messageOf(error),
      });
    }
  }

  /** SENT: find the recorded transaction on chain and act on what it shows (see the class comment). */
  private async settle(payout: Payout): Promise<void> {
    const { clients, confirmations, faults } = this.options;
    await faults?.before('confirm', payout);
    const hash = payout.txHash as Hex;
    // The head first: any block at or below it that held our transaction shows in the receipt read next.
    const head = await clients.public.getBlockNumber({ cacheTime: 0 });
    const receipt = await clients.public.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (error instanceof TransactionReceiptNotFoundError) return null;
      throw error;
    });
    if (receipt) {
      if (receipt.status === 'reverted') await this.fail(payout, 'the payout transaction reverted');
      else if (head - receipt.blockNumber + 1n >= BigInt(confirmations)) await this.confirm(payout, receipt.blockNumber);
      return;
    }
    const settledBlock = head - BigInt(confirmations) + 1n;
    const spent = settledBlock < 0n ? 0 : await clients.public.getTransactionCount({ address: clients.wallet.account.address, blockNumber: settledBlock });
    if (spent > payout.nonce!) await this.resign(payout);
    else await this.broadcast(payout);
  }

  private async confirm(payout: Payout, blockNumber: bigint): Promise<void> {
    const event: PayoutConfirmed = {
      entryId: payout.entryId,
      txHash: payout.txHash!,
      to: payout.toAddress,
      amount: payout.amount,
      blockNumber: Number(blockNumber),
    };
    const confirmed = await this.options.prisma.$transaction(async (tx) => {
      const { count } = await tx.payout.updateMany({
        where: { entryId: payout.entryId, status: 'SENT', txHash: payout.txHash },
        data: { status: 'CONFIRMED', blockNumber },
      });
      if (count === 1) await tx.outboxEvent.create({ data: { channel: PAYOUT_CONFIRMED, payload: event as unknown as Prisma.InputJsonValue } });
      return count === 1;
    });
    if (!confirmed) return;
    this.options.onCommitted?.();
    this.options.metrics.payouts.inc({ outcome: 'confirmed' });
    this.options.logger.info('payout confirmed', { ...event });
  }

  /** Its nonce went to another transaction, settled deep: ours can never be mined, so a new one is signed. */
  private async resign(payout: Payout): Promise<void> {
    this.options.metrics.payouts.inc({ outcome: 'resigned' });
    await this.options.prisma.payout.updateMany({
      where: { entryId: payout.entryId, status: 'SENT', txHash: payout.txHash },
      data: { status: 'PENDING', txHash: null, nonce: null, rawTransaction: null },
    });
    this.options.logger.warn('payout transaction lost its nonce to another; signing it again', {
      entryId: payout.entryId,
      txHash: payout.txHash,
      nonce: payout.nonce,
    });
  }

  private async fail(payout: Payout, reason: string): Promise<void> {
    this.options.metrics.payouts.inc({ outcome: 'failed' });
    await this.options.prisma.payout.updateMany({
      where: { entryId: payout.entryId, status: 'SENT', txHash: payout.txHash },
      data: { status: 'FAILED', failureReason: reason },
    });
    this.options.logger.error('payout failed on chain: nothing was paid; an operator must look', { entryId: payout.entryId, txHash: payout.txHash });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
