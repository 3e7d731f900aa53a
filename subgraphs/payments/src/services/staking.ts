import type { PaymentsConfig } from '@supergraph/config';
import { badUserInput, clientError, type Logger } from '@supergraph/server';
import type { Payment as PaymentRow, Prisma, PrismaClient, StakeEntry } from '../generated/prisma/client';
import { PayoutStatus, type Tier } from '../generated/prisma/enums';
import { MAX_TOKEN_AMOUNT, parseAmount } from '../domain/money';
import { effectiveTier, feeDiscount, stakeTier } from '../domain/tiers';
import { runIdempotent, checkIdempotencyKey } from '../data/idempotency';
import type { Tx } from '../data/payments';
import type { PayoutsClient } from '../data/payouts-client';
import type { UsersClient } from '../data/users-client';
import { STAKE_CHANGED, UNSTAKE_REQUESTED, type PayoutConfirmed, type StakeChanged, type UnstakeRequested } from '../events/payment-events';

export interface StakeState {
  userId: string;
  /** FORGE base units staked. */
  staked: string;
  tier: Tier;
  feeDiscount: number;
  /** The ledger entry `unstake` wrote (its payout status is read fresh). */
  entryId?: string;
}

/**
 * The staking ledger. A stake is funded by a $FORGE token payment (purpose "stake") and credited
 * in the same transaction that marks that payment SUCCEEDED — so no stake exists without a
 * confirmed transfer to the treasury. An unstake debits the ledger (never below zero: the
 * conditional UPDATE is the arbiter between concurrent unstakes) and asks the blockchain
 * subgraph, over a signed service call, to pay the FORGE back on chain from the treasury to the
 * wallet chosen at that moment (the outbox also announces it, for listeners). The entry stays PENDING_PAYOUT until the blockchain subgraph reports the
 * transfer confirmed; `reconcilePayouts` asks again for any still pending, so neither a lost event
 * nor a blockchain subgraph that was down when the unstake happened leaves it unpaid. A payout
 * that reverts on chain is undone: the amount is staked again (RETURNED).
 */
export class StakingService {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      users: UsersClient;
      payouts: PayoutsClient;
      config: PaymentsConfig;
      logger: Logger;
      onCommitted?: () => void;
    },
  ) {}

  /** Credits a SUCCEEDED stake payment, inside the transaction that marked it so. */
  async creditStake(tx: Tx, payment: PaymentRow): Promise<void> {
    const amount = payment.amount.toFixed(0);
    await tx.stakeEntry.create({ data: { userId: payment.userId, amount, idempotencyKey: `payment:${payment.id}` } });
    const [account] = await tx.$queryRaw<{ staked: string }[]>`
      INSERT INTO payment_accounts (user_id, staked, tier_sync_pending, updated_at) VALUES (${payment.userId}::uuid, ${amount}::numeric, true, now())
      ON CONFLICT (user_id) DO UPDATE SET staked = payment_accounts.staked + EXCLUDED.staked, tier_sync_pending = true, updated_at = now()
      RETURNING staked::text AS staked`;
    await announce(tx, { userId: payment.userId, staked: account!.staked, change: amount });
  }

  async unstake(userId: string, rawAmount: string, idempotencyKey: string): Promise<StakeState> {
    const amount = parseAmount(rawAmount, MAX_TOKEN_AMOUNT);
    checkIdempotencyKey(idempotencyKey);
    const codec = { encode: (state: StakeState) => state, decode: (stored: unknown) => stored as StakeState };
    const state = await runIdempotent(
      this.deps.prisma,
      { userId, key: idempotencyKey, operation: 'unstake', payload: { amount: amount.toString() } },
      codec,
      async () => {
        // Who is paid is decided now and travels with the request: a wallet linked or unlinked later changes nothing.
        const [wallet] = await this.deps.users.walletAddresses(userId);
        const entryId = await this.deps.prisma.$transaction(async (tx) => {
          const [account] = await tx.$queryRaw<{ staked: string }[]>`
          UPDATE payment_accounts SET staked = staked - ${amount.toString()}::numeric, tier_sync_pending = true, updated_at = now()
          WHERE user_id = ${userId}::uuid AND staked >= ${amount.toString()}::numeric
          RETURNING staked::text AS staked`;
          if (!account) throw badUserInput('You cannot unstake more than you have staked', 'INSUFFICIENT_STAKE', 'amount');
          // Checked after the stake so that an over-large unstake says so first; the debit rolls back with the error.
          if (!wallet) throw clientError('NO_LINKED_WALLET', 'Link a wallet first: unstaked $FORGE is paid to your linked wallet');
          const request = { userId, amount: amount.toString(), to: wallet.toLowerCase() };
          const entry = await tx.stakeEntry.create({
            data: { userId, amount: (-amount).toString(), idempotencyKey, payoutAddress: request.to, payoutStatus: PayoutStatus.PENDING_PAYOUT },
          });
          const event: UnstakeRequested = { ...request, entryId: entry.id.toString() };
          await tx.outboxEvent.create({ data: { channel: UNSTAKE_REQUESTED, payload: event as unknown as Prisma.InputJsonValue } });
          await announce(tx, { userId, staked: account.staked, change: (-amount).toString() });
          return event.entryId;
        });
        this.deps.onCommitted?.();
        return { ...(await this.state(userId)), entryId };
      },
    );
    await this.syncTier(userId);
    // Asked now, over the signed service call (a Redis event could be forged, so the blockchain
    // subgraph pays only on this request); not awaited: the chain takes its time, and the
    // periodic reconcilePayouts asks again for anything this call could not settle.
    if (state.entryId) {
      const entryId = state.entryId;
      this.checkPayout(entryId).catch((error: unknown) =>
        this.deps.logger.warn('could not ask for an unstake payout; will retry', { entryId, error: String(error) }),
      );
    }
    return state;
  }

  /** The user's ledger, newest first: stakes, and unstakes with their payout. */
  history(userId: string, first: number): Promise<StakeEntry[]> {
    return this.deps.prisma.stakeEntry.findMany({ where: { userId }, orderBy: { id: 'desc' }, take: first });
  }

  entry(userId: string, entryId: string): Promise<StakeEntry | null> {
    return this.deps.prisma.stakeEntry.findFirst({ where: { id: BigInt(entryId), userId } });
  }

  /**
   * The blockchain subgraph answers that an unstake's payout is confirmed: the entry becomes PAID
   * with its transaction. Only a pending entry paid to its own address and amount changes; a
   * repeat does nothing.
   */
  private async markPaid(report: Omit<PayoutConfirmed, 'blockNumber'>): Promise<boolean> {
    if (!/^[0-9]{1,19}$/.test(report.entryId)) return false;
    const { count } = await this.deps.prisma.stakeEntry.updateMany({
      where: {
        id: BigInt(report.entryId),
        payoutStatus: PayoutStatus.PENDING_PAYOUT,
        payoutAddress: report.to.toLowerCase(),
        amount: (-BigInt(report.amount)).toString(),
      },
      data: { payoutStatus: PayoutStatus.PAID, payoutTxHash: report.txHash.toLowerCase(), paidAt: new Date() },
    });
    if (count === 1) this.deps.logger.info('unstake paid out', { entryId: report.entryId, txHash: report.txHash });
    return count === 1;
  }

  /**
   * Asks the blockchain subgraph to pay every unstake still PENDING_PAYOUT (it pays each entry once,
   * however often asked) and settles each by its answer. Run at start and periodically: what makes
   * a lost event, or a blockchain subgraph that was down, delay a payout but never lose it.
   */
  async reconcilePayouts(): Promise<number> {
    const pending = await this.deps.prisma.stakeEntry.findMany({ where: { payoutStatus: PayoutStatus.PENDING_PAYOUT }, orderBy: { id: 'asc' }, take: 100 });
    let paid = 0;
    for (const entry of pending) if (await this.settlePayout(entry)) paid++;
    return paid;
  }

  /**
   * Asks the blockchain subgraph to pay one pending unstake (it pays each entry once, however often
   * asked) and records its answer. Called when the unstake commits and when a
   * `blockchain.payoutConfirmed` event arrives — events are hints, not evidence (anyone who can
   * publish on Redis could send one), so the entry is settled only on the answer.
   */
  async checkPayout(entryId: string): Promise<boolean> {
    if (!/^[0-9]{1,19}$/.test(entryId)) return false;
    const entry = await this.deps.prisma.stakeEntry.findFirst({ where: { id: BigInt(entryId), payoutStatus: PayoutStatus.PENDING_PAYOUT } });
    return entry ? this.settlePayout(entry) : false;
  }

  /** Has one pending unstake paid (idempotent per entry) and records the outcome; true once PAID. */
  private async settlePayout(entry: StakeEntry): Promise<boolean> {
    const request = { entryId: entry.id.toString(), to: entry.payoutAddress!, amount: (-BigInt(entry.amount.toFixed(0))).toString() };
    try {
      const payout = await this.deps.payouts.requestPayout(request);
      if (payout.status === 'CONFIRMED' && payout.txHash) return await this.markPaid({ ...request, txHash: payout.txHash });
      // Reverted on chain: nothing left the treasury, and the blockchain subgraph does not retry on its own.
      if (payout.status === 'FAILED') await this.returnToStake(entry, payout.txHash);
    } catch (error) {
      this.deps.logger.warn('could not have an unstake paid out; will retry', { entryId: request.entryId, error: String(error) });
    }
    return false;
  }

  /**
   * Undoes an unstake whose payout reverted on chain: the entry becomes RETURNED and its amount
   * is staked again, in one transaction, so the user holds their $FORGE (and the tier it buys)
   * and may unstake again. Only a PENDING_PAYOUT entry changes, so a repeat credits nothing.
   */
  async returnToStake(entry: StakeEntry, revertedTxHash: string | null): Promise<boolean> {
    const amount = (-BigInt(entry.amount.toFixed(0))).toString();
    const returned = await this.deps.prisma.$transaction(async (tx) => {
      const { count } = await tx.stakeEntry.updateMany({
        where: { id: entry.id, payoutStatus: PayoutStatus.PENDING_PAYOUT },
        data: { payoutStatus: PayoutStatus.RETURNED, payoutTxHash: revertedTxHash?.toLowerCase() ?? null },
      });
      if (count === 0) return false;
      await tx.stakeEntry.create({ data: { userId: entry.userId, amount, idempotencyKey: `payout-returned:${entry.id}` } });
      const [account] = await tx.$queryRaw<{ staked: string }[]>`
        UPDATE payment_accounts SET staked = staked + ${amount}::numeric, tier_sync_pending = true, updated_at = now()
        WHERE user_id = ${entry.userId}::uuid RETURNING staked::text AS staked`;
      await announce(tx, { userId: entry.userId, staked: account!.staked, change: amount });
      return true;
    });
    if (!returned) return false;
    this.deps.onCommitted?.();
    this.deps.logger.error('an unstake payout reverted on chain; its amount is staked again', { entryId: entry.id.toString(), amount, txHash: revertedTxHash });
    await this.syncTier(entry.userId);
    return true;
  }

  async state(userId: string): Promise<StakeState> {
    const account = await this.deps.prisma.paymentAccount.findUnique({ where: { userId } });
    const staked = BigInt(account?.staked.toFixed(0) ?? '0');
    return { userId, staked: staked.toString(), tier: stakeTier(staked, this.deps.config), feeDiscount: feeDiscount(staked, this.deps.config) };
  }

  /**
   * Tells the users subgraph the user's tier (the higher of plan and stake) after a stake change.
   * The change set `tier_sync_pending` in its own transaction; it is cleared only once the users
   * subgraph has the tier computed from that very state, so a failed call (or a crash) is retried
   * by `syncPendingTiers` until it succeeds.
   */
  async syncTier(userId: string): Promise<boolean> {
    const account = await this.deps.prisma.paymentAccount.findUnique({ where: { userId } });
    if (!account?.tierSyncPending) return true;
    const tier = effectiveTier(account.planTier, BigInt(account.staked.toFixed(0)), this.deps.config);
    try {
      await this.deps.users.setUserTier(userId, tier);
    } catch (error) {
      this.deps.logger.warn('could not update the user tier after a stake change; will retry', { userId, tier, error: String(error) });
      return false;
    }
    // Unchanged since we read it: what we sent is current.
    await this.deps.prisma.paymentAccount.updateMany({
      where: { userId, staked: account.staked, planTier: account.planTier },
      data: { tierSyncPending: false },
    });
    return true;
  }

  /** Retries every tier update still pending (run periodically). */
  async syncPendingTiers(): Promise<number> {
    const pending = await this.deps.prisma.paymentAccount.findMany({ where: { tierSyncPending: true }, select: { userId: true }, take: 100 });
    let synced = 0;
    for (const { userId } of pending) if (await this.syncTier(userId)) synced++;
    return synced;
  }
}

async function announce(tx: Tx, event: StakeChanged): Promise<void> {
  await tx.outboxEvent.create({ data: { channel: STAKE_CHANGED, payload: event as unknown as Prisma.InputJsonValue } });
}
