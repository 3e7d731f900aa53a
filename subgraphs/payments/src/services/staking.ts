import type { PaymentsConfig } from '@supergraph/config';
import { badUserInput, type Logger } from '@supergraph/server';
import type { Payment as PaymentRow, Prisma, PrismaClient } from '../generated/prisma/client';
import type { Tier } from '../generated/prisma/enums';
import { MAX_TOKEN_AMOUNT, parseAmount } from '../domain/money';
import { effectiveTier, feeDiscount, stakeTier } from '../domain/tiers';
import { runIdempotent, checkIdempotencyKey } from '../data/idempotency';
import type { Tx } from '../data/payments';
import type { UsersClient } from '../data/users-client';
import { STAKE_CHANGED, UNSTAKE_REQUESTED, type StakeChanged } from '../events/payment-events';

export interface StakeState {
  userId: string;
  /** FORGE base units staked. */
  staked: string;
  tier: Tier;
  feeDiscount: number;
}

/**
 * The staking ledger. A stake is funded by a $FORGE token payment (purpose "stake") and credited
 * in the same transaction that marks that payment SUCCEEDED — so no stake exists without a
 * confirmed transfer to the treasury. An unstake debits the ledger (never below zero: the
 * conditional UPDATE is the arbiter between concurrent unstakes) and asks, through the outbox,
 * for the treasury to pay the FORGE back on chain (the blockchain subgraph's job).
 */
export class StakingService {
  constructor(
    private readonly deps: { prisma: PrismaClient; users: UsersClient; config: PaymentsConfig; logger: Logger; onCommitted?: () => void },
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
    const state = await runIdempotent(this.deps.prisma, { userId, key: idempotencyKey, operation: 'unstake', payload: { amount: amount.toString() } }, codec, async () => {
      await this.deps.prisma.$transaction(async (tx) => {
        const [account] = await tx.$queryRaw<{ staked: string }[]>`
          UPDATE payment_accounts SET staked = staked - ${amount.toString()}::numeric, tier_sync_pending = true, updated_at = now()
          WHERE user_id = ${userId}::uuid AND staked >= ${amount.toString()}::numeric
          RETURNING staked::text AS staked`;
        if (!account) throw badUserInput('You cannot unstake more than you have staked', 'INSUFFICIENT_STAKE', 'amount');
        const entry = await tx.stakeEntry.create({ data: { userId, amount: (-amount).toString(), idempotencyKey } });
        await tx.outboxEvent.create({ data: { channel: UNSTAKE_REQUESTED, payload: { userId, amount: amount.toString(), entryId: entry.id.toString() } } });
        await announce(tx, { userId, staked: account.staked, change: (-amount).toString() });
      });
      this.deps.onCommitted?.();
      return this.state(userId);
    });
    await this.syncTier(userId);
    return state;
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
    await this.deps.prisma.paymentAccount.updateMany({ where: { userId, staked: account.staked, planTier: account.planTier }, data: { tierSyncPending: false } });
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
