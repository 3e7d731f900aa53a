import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Resolver, registerEnumType } from 'type-graphql';
import { requireUser } from '@supergraph/subgraph';
import { Tier } from '../generated/prisma/enums';
import type { PaymentsContext } from '../context';
import type { PaymentView } from '../services/views';
import type { StakeState } from '../services/staking';
import { Payment } from './payment';

registerEnumType(Tier, { name: 'Tier', description: 'Plan a user is on; higher tiers are served first.' });

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

@Resolver()
export class StakingResolver {
  @Mutation(() => Payment, {
    description:
      'Stakes $FORGE: pass the transfer you made to the treasury. The stake is credited (and your tier updated) when the token payment SUCCEEDS.',
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

  @Mutation(() => Stake, { description: 'Unstakes $FORGE (INSUFFICIENT_STAKE beyond your stake); the treasury pays it back on chain.' })
  unstake(
    @Arg('amount', () => String, { description: 'FORGE base units (18 decimals).' }) amount: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: PaymentsContext,
  ): Promise<StakeState> {
    const { userId } = requireUser(ctx.identity, 'write');
    return ctx.services.staking.unstake(userId, amount, idempotencyKey);
  }
}
