import { Arg, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { badUserInput } from '@supergraph/server';
import { requireUser } from '@supergraph/subgraph';
import type { StakeEntry as StakeEntryRow } from '../generated/prisma/client';
import { PayoutStatus, Tier } from '../generated/prisma/enums';
import type { PaymentsContext } from '../context';
import type { PaymentView } from '../services/views';
import type { StakeState } from '../services/staking';
import { Payment } from './payment';

registerEnumType(Tier, { name: 'Tier', description: 'Plan a user is on; higher tiers are served first.' });
registerEnumType(PayoutStatus, {
  name: 'PayoutStatus',
  description:
    'An unstake on its way back on chain: PENDING_PAYOUT until the treasury transfer is confirmed, then PAID. RETURNED: the transfer reverted on chain, so nothing was paid and the amount is staked again.',
});

export const STAKING_HISTORY_MAX = 100;

@ObjectType({ description: 'One line of your staking ledger: a stake, or an unstake with its on-chain payout.' })
class StakeEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'FORGE base units: positive for a stake, negative for an unstake.' })
  amount!: string;

  @Field(() => PayoutStatus, { nullable: true, description: 'Unstakes only.' })
  payoutStatus!: PayoutStatus | null;

  @Field(() => String, { nullable: true, description: 'Unstakes only: the wallet paid, fixed when you unstaked.' })
  payoutAddress!: string | null;

  @Field(() => String, { nullable: true, description: "The treasury's transfer, once PAID." })
  payoutTxHash!: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  paidAt!: Date | null;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

function toStakeEntry(row: StakeEntryRow): StakeEntry {
  return {
    id: row.id.toString(),
    amount: row.amount.toFixed(0),
    payoutStatus: row.payoutStatus,
    payoutAddress: row.payoutAddress,
    payoutTxHash: row.payoutTxHash,
    paidAt: row.paidAt,
    createdAt: row.createdAt,
  };
}

@ObjectType({ description: "A user's $FORGE stake and what it earns." })
class Stake {
  @Field(() => ID)
  userId!: string;

  @Field(() => String, { description: 'FORGE base units staked (18 decimals).' })
  staked!: string;

  @Field(() => Tier, { description: 'The tier the stake alone earns.' })
  tier!: Tier;

  @Field(() => Int, { description: 'Fee reduction in percent.' })
  feeDiscount!: number;
}

@Resolver(() => Stake)
export class StakingResolver {
  @FieldResolver(() => StakeEntry, { nullable: true, description: 'From `unstake`: the ledger entry it wrote, with its payout as it stands now.' })
  async entry(@Root() stake: StakeState, @Ctx() ctx: PaymentsContext): Promise<StakeEntry | null> {
    if (!stake.entryId) return null;
    const row = await ctx.services.staking.entry(stake.userId, stake.entryId);
    return row && toStakeEntry(row);
  }

  @Query(() => [StakeEntry], {
    nullable: true,
    description: 'Your staking ledger, newest first: stakes, and unstakes with their payout (PENDING_PAYOUT → PAID).',
  })
  async stakingHistory(@Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: PaymentsContext): Promise<StakeEntry[]> {
    const { userId } = requireUser(ctx.identity);
    if (first < 1 || first > STAKING_HISTORY_MAX) throw badUserInput(`first must be between 1 and ${STAKING_HISTORY_MAX}`, 'BAD_USER_INPUT', 'first');
    return (await ctx.services.staking.history(userId, first)).map(toStakeEntry);
  }

  @Mutation(() => Payment, {
    description: 'Stakes $FORGE: pass the transfer you made to the treasury. The stake is credited (and your tier updated) when the token payment SUCCEEDS.',
  })
  stake(
    @Arg('amount', () => String, { description: 'FORGE base units (18 decimals).' }) amount: string,
    @Arg('txHash', () => String) txHash: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: PaymentsContext,
  ): Promise<PaymentView> {
    const { userId } = requireUser(ctx.identity, 'write');
    return ctx.services.payments.payWithToken(userId, { amount, txHash }, idempotencyKey, 'stake');
  }

  @Mutation(() => Stake, {
    description:
      'Unstakes $FORGE (INSUFFICIENT_STAKE beyond your stake; NO_LINKED_WALLET without a wallet): the treasury pays it back on chain to your first linked wallet — follow `entry.payoutStatus`.',
  })
  unstake(
    @Arg('amount', () => String, { description: 'FORGE base units (18 decimals).' }) amount: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: PaymentsContext,
  ): Promise<StakeState> {
    const { userId } = requireUser(ctx.identity, 'write');
    return ctx.services.staking.unstake(userId, amount, idempotencyKey);
  }
}
